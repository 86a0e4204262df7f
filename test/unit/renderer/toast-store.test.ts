/** Toasts: notices leave by themselves, errors stay until closed, repeats collapse, only a few show. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_VISIBLE_TOASTS, pushToast, visibleToasts } from '../../../renderer/stores/toast-queue.ts';
import { useToastStore } from '../../../renderer/stores/toast-store.ts';

describe('toast queue', () => {
  it('collapses a repeat notice into the one on screen, with a count, and moves it to the end', () => {
    let state = pushToast([], { tone: 'error', title: 'Backup failed', message: 'disk full' }, 1);
    state = pushToast(state.list, { tone: 'info', title: 'Vault opened' }, 2);
    state = pushToast(state.list, { tone: 'error', title: 'Backup failed', message: 'disk full' }, 3);
    expect(state.id).toBe(1);
    expect(state.list.map((toast) => [toast.id, toast.count])).toEqual([[2, 1], [1, 2]]);
    // Same title, other message: a different notice.
    state = pushToast(state.list, { tone: 'error', title: 'Backup failed', message: 'vault missing' }, 4);
    expect(state.list).toHaveLength(3);
  });

  it('shows the newest few and counts the rest', () => {
    let list = pushToast([], { tone: 'info', title: 'n0' }, 0).list;
    for (let n = 1; n < 6; n += 1) list = pushToast(list, { tone: 'info', title: `n${n}` }, n).list;
    const { shown, hidden } = visibleToasts(list);
    expect(shown.map((toast) => toast.title)).toEqual(['n3', 'n4', 'n5']);
    expect(shown).toHaveLength(MAX_VISIBLE_TOASTS);
    expect(hidden).toBe(3);
  });
});

describe('toast store', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => {
    useToastStore.getState().dismissAll();
    vi.useRealTimers();
  });

  it('lets success and info toasts leave after a few seconds and keeps errors until closed', () => {
    const store = useToastStore.getState();
    store.show('success', 'Saved');
    store.show('info', 'Backup cancelled');
    store.show('error', 'Backup failed', 'The vault drive is full.');
    expect(useToastStore.getState().toasts).toHaveLength(3);
    vi.advanceTimersByTime(10 * 60_000);
    const left = useToastStore.getState().toasts;
    expect(left.map((toast) => toast.title)).toEqual(['Backup failed']);
    useToastStore.getState().dismiss(left[0]?.id ?? -1);
    expect(useToastStore.getState().toasts).toEqual([]);
  });

  it('restarts the time of a notice that repeats, and shows it once with its count', () => {
    const store = useToastStore.getState();
    store.show('success', 'Saved');
    vi.advanceTimersByTime(4000);
    store.show('success', 'Saved');
    vi.advanceTimersByTime(4000);
    expect(useToastStore.getState().toasts.map((toast) => [toast.title, toast.count])).toEqual([['Saved', 2]]);
    vi.advanceTimersByTime(2000);
    expect(useToastStore.getState().toasts).toEqual([]);
  });
});
