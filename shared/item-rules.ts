/**
 * Protected item rules shared by the engine (authoritative) and the UI (live validation).
 * Item names: 2-64 characters, a letter or digit first, then letters, digits, '.', '_' or '-'
 * (they are typed in CLI commands and shown in file names).
 */
export const ITEM_NAME_MIN = 2;
export const ITEM_NAME_MAX = 64;

/** Returns the broken rule as a sentence, or null when the name is valid. */
export function itemNameProblem(name: string): string | null {
  if (name.length < ITEM_NAME_MIN) return `Item name must be at least ${ITEM_NAME_MIN} characters long.`;
  if (name.length > ITEM_NAME_MAX) return `Item name must be at most ${ITEM_NAME_MAX} characters long.`;
  if (!/^[A-Za-z0-9]/.test(name)) return 'Item name must start with a letter or a digit.';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) return "Item name may contain only letters, digits, '.', '_' and '-'.";
  return null;
}
