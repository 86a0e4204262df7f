/**
 * The rules of the toast list, kept pure so they can be tested without a DOM: a repeat of a
 * notice already shown collapses into it with a count, and only the newest few are shown.
 */
export type ToastTone = 'success' | 'error' | 'info';

export interface ToastMessage {
  id: number;
  tone: ToastTone;
  title: string;
  message?: string;
  /** How many times this same notice was raised while it was on screen (1 the first time). */
  count: number;
}

export interface ToastInput {
  tone: ToastTone;
  title: string;
  message?: string;
}

/** How many toasts show at once; older ones wait behind a "more" line until closed. */
export const MAX_VISIBLE_TOASTS = 3;

/** How long a toast stays; null: until the user closes it (errors). */
export const TOAST_LIFETIME_MS: Record<ToastTone, number | null> = { success: 5000, info: 6000, error: null };

function sameNotice(toast: ToastMessage, input: ToastInput): boolean {
  return toast.tone === input.tone && toast.title === input.title && (toast.message ?? '') === (input.message ?? '');
}

/**
 * Adds a notice to the list: a repeat of one in the list is moved to the end with its count
 * raised (it keeps its id); anything else is appended with `newId`. Returns the new list and
 * the id the notice has in it.
 */
export function pushToast(
  list: readonly ToastMessage[], input: ToastInput, newId: number,
): { list: ToastMessage[]; id: number } {
  const repeat = list.find((toast) => sameNotice(toast, input));
  if (repeat) {
    const raised: ToastMessage = { ...repeat, count: repeat.count + 1 };
    return { list: [...list.filter((toast) => toast.id !== repeat.id), raised], id: repeat.id };
  }
  const added: ToastMessage = { id: newId, tone: input.tone, title: input.title, count: 1 };
  if (input.message !== undefined && input.message !== '') added.message = input.message;
  return { list: [...list, added], id: newId };
}

/** The toasts on screen (newest last) and how many older ones wait behind them. */
export function visibleToasts(
  list: readonly ToastMessage[], max = MAX_VISIBLE_TOASTS,
): { shown: ToastMessage[]; hidden: number } {
  const shown = list.slice(-max);
  return { shown, hidden: list.length - shown.length };
}
