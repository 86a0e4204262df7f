/** A rough strength hint for a passphrase: length and variety, nothing more. */
export type Strength = { level: 0 | 1 | 2 | 3; label: string };

const LONG = 16;
const VERY_LONG = 24;

export function passphraseStrength(value: string): Strength {
  if (value.length === 0) return { level: 0, label: '' };
  const classes = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((pattern) => pattern.test(value)).length;
  const words = value.trim().split(/\s+/).length;
  let score = 0;
  if (value.length >= 10) score += 1;
  if (value.length >= LONG) score += 1;
  if (value.length >= VERY_LONG || words >= 4) score += 1;
  if (classes >= 3) score += 1;
  if (/^(.)\1+$/.test(value)) score = 0;
  if (score <= 1) return { level: 1, label: 'Weak: use a longer passphrase, for example four or more unrelated words.' };
  if (score === 2) return { level: 2, label: 'Fair: longer is better.' };
  return { level: 3, label: 'Strong.' };
}
