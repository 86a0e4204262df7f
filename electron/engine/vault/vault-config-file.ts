/** The name of a vault's settings file at the top of its folder (vault-config.ts reads and writes it). */
export const VAULT_FILE = 'vault.json';
