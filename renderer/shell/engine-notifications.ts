/**
 * Turns engine events into toasts while the app is open: a job that finished (success
 * or failure) and alerts the engine raises. The desktop face also shows OS notifications.
 */
import { client } from '../api/labvault-client.ts';
import { useToastStore } from '../stores/toast-store.ts';

const OPERATION_LABEL: Record<string, string> = { backup: 'Backup', restore: 'Restore', verify: 'Verify', prune: 'Prune', gc: 'Clean-up' };

export function startEngineNotifications(): () => void {
  const stopJobs = client.on.jobFinished((job) => {
    const what = `${OPERATION_LABEL[job.operation] ?? job.operation}${job.itemName ? ` of "${job.itemName}"` : ''}`;
    const toasts = useToastStore.getState();
    if (job.status === 'completed') toasts.show('success', `${what} completed`, job.message || undefined);
    else if (job.status === 'failed') toasts.show('error', `${what} failed`, job.message || undefined);
    else if (job.status === 'cancelled') toasts.show('info', `${what} cancelled`, job.message || undefined);
  });
  const stopAlerts = client.on.alertRaised((alert) => {
    useToastStore.getState().show(alert.severity === 'info' ? 'info' : 'error', alert.title, alert.message);
  });
  return () => {
    stopJobs();
    stopAlerts();
  };
}
