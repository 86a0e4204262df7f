/** What a cancelled job and a point without a fast restore copy say to the user. */
import { describe, expect, it } from 'vitest';
import { vaultOnlyReason } from '../../../renderer/features/items/item-badges.tsx';
import { cancelledByText } from '../../../renderer/features/jobs/cancelled-by.ts';
import { subtaskMessageText } from '../../../renderer/features/jobs/subtask-words.ts';

describe('cancelled jobs', () => {
  it('name who cancelled them: you in the app, the command line, or the service', () => {
    expect(cancelledByText({ cancelled: { by: 'ui' } })).toBe('Cancelled by you');
    expect(cancelledByText({ cancelled: { by: 'cli' } })).toBe('Cancelled from the command line');
    expect(cancelledByText({ cancelled: { by: 'service' } })).toBe('Cancelled by the background service as it stopped');
    expect(cancelledByText({ cancelled: { by: 'unknown' } })).toBe('Cancelled');
    expect(cancelledByText({})).toBe('Cancelled');
  });
});

describe('the vault-only note', () => {
  const point = (tiers: Array<'snapshot' | 'vault'>, tierNote?: string, state: 'active' | 'soft-deleted' = 'active') => ({
    tiers, state, ...(tierNote ? { tierNote } : {}),
  });
  it('is said once, from the newest active point without a fast restore copy', () => {
    const points = [
      point(['vault'], 'Vault tier only: the filesystem cannot clone files.'),
      point(['vault'], 'Vault tier only: something older.'),
    ];
    expect(vaultOnlyReason(points)).toBe('the filesystem cannot clone files.');
  });
  it('is absent when every active point has a fast restore copy', () => {
    expect(vaultOnlyReason([point(['snapshot', 'vault']), point(['vault'], 'gone', 'soft-deleted')])).toBeNull();
  });
  it('has a plain reason when the engine gave none', () => {
    expect(vaultOnlyReason([point(['vault'])])).toBe('this disk cannot keep one.');
  });
});

describe('a snapshot subtask\'s message', () => {
  it('says fast restore copy, not the engine\'s tier words', () => {
    expect(subtaskMessageText('Vault tier only: the VM\'s filesystem cannot clone files. The transfer reads the live files.'))
      .toBe('No fast restore copy on this disk: the VM\'s filesystem cannot clone files. The transfer reads the live files.');
    expect(subtaskMessageText('Captured: VirtualBox live snapshot. Instant-restore snapshot kept 2 days.'))
      .toBe('Captured: VirtualBox live snapshot. Fast restore copy kept on this disk for 2 days.');
    expect(subtaskMessageText('Instant-restore snapshot kept 1 day.')).toBe('Fast restore copy kept on this disk for 1 day.');
    expect(subtaskMessageText('1 file in the vault.')).toBe('1 file in the vault.');
  });
});
