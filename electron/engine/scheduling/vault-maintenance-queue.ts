/**
 * Retention passes and GC of one vault run one after another in this process: a retention
 * pass after a backup, the hourly pass and `labvault prune` never soft-delete the same
 * point twice at once. (Across processes the vault store's locks and the catalog keep them
 * safe; a pass that loses a race fails and the next one finishes the work.)
 */
const queues = new Map<string, Promise<unknown>>();

export function inVaultQueue<T>(vaultDir: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(vaultDir) ?? Promise.resolve();
  const result = previous.then(work, work);
  const settled = result.catch(() => undefined);
  queues.set(vaultDir, settled);
  void settled.then(() => {
    if (queues.get(vaultDir) === settled) queues.delete(vaultDir);
  });
  return result;
}
