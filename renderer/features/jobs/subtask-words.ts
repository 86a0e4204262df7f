/**
 * A subtask's message from the engine in the UI's plain words: the engine's "Vault tier only"
 * and "Instant-restore snapshot" (its model, kept in records and the CLI) are said as what they
 * mean to a workstation user, the way the item page says them.
 */
export function subtaskMessageText(message: string): string {
  return message
    .replace(/^Vault tier only[:.]\s*/i, 'No fast restore copy on this disk: ')
    .replace(/Instant-restore snapshot kept (\d+) (days?)\./, 'Fast restore copy kept on this disk for $1 $2.');
}
