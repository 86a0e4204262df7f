/**
 * Turns engine events into toasts while the app is open: a job that finished (success
 * or failure) and alerts the engine raises. The desktop face also shows OS notifications.
 */
import { client } from '../api/labvault-client.ts';
import { useToastStore } from '../stores/toast-store.ts';

const OPERATION_LABEL: Record<string, string> = { backup: 'Backup', restore: 'Restore', verify: 'Verify', prune: 'Prune', gc: 'Clean-up' };

/** The job's message, unless it only repeats the title ("Backup of web completed."). */
function extraMessage(title: string, message: string): string | undefined {
  const plain = (text: string) => text.replace(/["'.]/g, '').trim().toLowerCase();
  return message === '' || plain(message) === plain(title) ? undefined : message;
}

export function startEngineNotifications(): () => void {
  const stopJobs = client.on.jobFinished((job) => {
    const what = `${OPERATION_LABEL[job.operation] ?? job.operation}${job.itemName ? ` of "${job.itemName}"` : ''}`;
    const toasts = useToastStore.getState();
    // The finished notice replaces the "started" one of the same job.
    for (const toast of toasts.toasts) if (toast.title === `${what} started`) toasts.dismiss(toast.id);
    const title = `${what} ${job.status}`;
    if (job.status === 'completed') toasts.show('success', title, extraMessage(title, job.message));
    else if (job.status === 'failed') toasts.show('error', title, extraMessage(title, job.message));
    else if (job.status === 'cancelled') toasts.show('info', title, extraMessage(title, job.message));
  });
  const stopAlerts = client.on.alertRaised((alert) => {
    useToastStore.getState().show(alert.severity === 'info' ? 'info' : 'error', alert.title, alert.message);
  });
  return () => {
    stopJobs();
    stopAlerts();
  };
}
