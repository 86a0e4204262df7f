/** Quotes an argument for the CLI-equivalent panel (POSIX shell rules). */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_\-./:=@%+]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function cliCommand(parts: Array<string | null | undefined | false>): string {
  return parts.filter((part): part is string => typeof part === 'string' && part !== '').join(' ');
}
