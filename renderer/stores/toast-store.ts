/** Short messages shown in the corner: results of actions and errors without a field. */
import { create } from 'zustand';

export type ToastTone = 'success' | 'error' | 'info';

export interface ToastMessage {
  id: number;
  tone: ToastTone;
  title: string;
  message?: string;
}

interface ToastStore {
  toasts: ToastMessage[];
  show(tone: ToastTone, title: string, message?: string): void;
  dismiss(id: number): void;
}

const TOAST_LIFETIME_MS = { success: 5000, info: 6000, error: 12000 } as const;
let nextToastId = 1;

export const useToastStore = create<ToastStore>((set, get) => ({
  toasts: [],
  show(tone, title, message) {
    const id = nextToastId++;
    const toast: ToastMessage = message === undefined ? { id, tone, title } : { id, tone, title, message };
    set({ toasts: [...get().toasts.slice(-3), toast] });
    window.setTimeout(() => get().dismiss(id), TOAST_LIFETIME_MS[tone]);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((toast) => toast.id !== id) });
  },
}));

export function toastError(title: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  useToastStore.getState().show('error', title, message);
}

export function toastSuccess(title: string, message?: string): void {
  useToastStore.getState().show('success', title, message);
}
