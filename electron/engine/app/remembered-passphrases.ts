/** Remembers vault passphrases in the OS keychain (desktop app only, when the user asks). */
export interface RememberedPassphrases {
  remember(vaultId: string, passphrase: string): Promise<void>;
  recall(vaultId: string): Promise<string | null>;
  forget(vaultId: string): Promise<boolean>;
}
