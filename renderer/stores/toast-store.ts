/**
 * Short messages shown below the page: results of actions and errors without a field.
 * Info and success notices leave by themselves; errors stay until closed. A repeat of a
 * notice on screen collapses into it with a count (see toast-queue.ts).
 */
import { create } from 'zustand';
import { pushToast, TOAST_LIFETIME_MS, type ToastInput, type ToastMessage, type ToastTone } from './toast-queue.ts';

export type { ToastMessage, ToastTone } from './toast-queue.ts';

interface ToastStore {
  toasts: ToastMessage[];
  show(tone: ToastTone, title: string, message?: string): void;
  dismiss(id: number): void;
  dismissAll(): void;
}

let nextToastId = 1;
/** The pending auto-dismiss of each toast, restarted when the notice repeats. */
const timers = new Map<number, ReturnType<typeof setTimeout>>();

function clearTimer(id: number): void {
  const timer = timers.get(id);
  if (timer !== undefined) clearTimeout(timer);
  timers.delete(id);
}

export const useToastStore = create<ToastStore>((set, get) => ({
  toasts: [],
  show(tone, title, message) {
    const input: ToastInput = message === undefined ? { tone, title } : { tone, title, message };
    const { list, id } = pushToast(get().toasts, input, nextToastId);
    if (id === nextToastId) nextToastId += 1;
    set({ toasts: list });
    clearTimer(id);
    const lifetime = TOAST_LIFETIME_MS[tone];
    if (lifetime !== null) timers.set(id, setTimeout(() => get().dismiss(id), lifetime));
  },
  dismiss(id) {
    clearTimer(id);
    set({ toasts: get().toasts.filter((toast) => toast.id !== id) });
  },
  dismissAll() {
    for (const id of [...timers.keys()]) clearTimer(id);
    set({ toasts: [] });
  },
}));

export function toastError(title: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  useToastStore.getState().show('error', title, message);
}

export function toastSuccess(title: string, message?: string): void {
  useToastStore.getState().show('success', title, message);
}
