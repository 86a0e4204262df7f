/**
 * "Remember passphrase on this computer": a vault's passphrase encrypted with the OS
 * keychain (Electron's safeStorage: Keychain on macOS, DPAPI on Windows, the Secret
 * Service / KWallet on Linux) and stored as that encrypted blob in
 * <app home>/remembered-passphrases.json (mode 0600). The plain passphrase never
 * touches the disk. On Linux without a keyring safeStorage falls back to a hard-coded
 * key ('basic_text'), which protects nothing: then remembering is refused.
 *
 * The cipher is passed in (Electron's `safeStorage` in the app), so this module has no
 * electron import.
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';

/** The part of Electron's safeStorage used here. */
export interface SecretCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only in Electron; 'basic_text' means no real keyring. */
  getSelectedStorageBackend?: () => string;
}

/** What the engine's vaults.unlock needs to remember, recall and forget passphrases. */
export interface PassphraseStore {
  /** False when this computer has no usable keychain: then `remember` rejects (UNSUPPORTED). */
  isAvailable(): boolean;
  remember(vaultId: string, passphrase: string): Promise<void>;
  recall(vaultId: string): Promise<string | null>;
  forget(vaultId: string): Promise<boolean>;
}

export const REMEMBERED_PASSPHRASES_FILE = 'remembered-passphrases.json';
const FILE_VERSION = 1;
const INSECURE_BACKENDS: ReadonlySet<string> = new Set(['basic_text', 'unknown']);

interface KeychainFile {
  version: typeof FILE_VERSION;
  /** vault id -> base64 of the safeStorage blob. */
  entries: Record<string, string>;
}

export class PassphraseKeychain implements PassphraseStore {
  readonly file: string;
  private readonly cipher: SecretCipher;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: { appHome: string; cipher: SecretCipher }) {
    this.file = join(options.appHome, REMEMBERED_PASSPHRASES_FILE);
    this.cipher = options.cipher;
  }

  /** Whether passphrases can be remembered securely on this computer. */
  isAvailable(): boolean {
    if (!this.cipher.isEncryptionAvailable()) return false;
    const backend = this.cipher.getSelectedStorageBackend?.();
    return backend === undefined || !INSECURE_BACKENDS.has(backend);
  }

  /** Stores the passphrase of vault `vaultId`, replacing any earlier one. */
  remember(vaultId: string, passphrase: string): Promise<void> {
    if (!this.isAvailable()) {
      return Promise.reject(new LabvaultError(ErrorCodes.UNSUPPORTED, 'This computer has no usable keychain (on Linux: install and unlock GNOME Keyring or KWallet), so the passphrase cannot be remembered. Enter it when you unlock the vault.', { field: 'remember' }));
    }
    const blob = this.cipher.encryptString(passphrase).toString('base64');
    return this.update((entries) => {
      entries[vaultId] = blob;
    });
  }

  /** The remembered passphrase, or null (none, or the keychain can no longer decrypt it). */
  async recall(vaultId: string): Promise<string | null> {
    await this.queue.catch(() => undefined);
    const entries = (await this.read()).entries;
    const blob = entries[vaultId];
    if (blob === undefined || !this.cipher.isEncryptionAvailable()) return null;
    try {
      return this.cipher.decryptString(Buffer.from(blob, 'base64'));
    } catch {
      return null;
    }
  }

  /** Forgets the passphrase of `vaultId`; true when one was remembered. */
  async forget(vaultId: string): Promise<boolean> {
    let removed = false;
    await this.update((entries) => {
      removed = Object.hasOwn(entries, vaultId);
      delete entries[vaultId];
    });
    return removed;
  }

  /** Vault ids that have a remembered passphrase. */
  async rememberedVaults(): Promise<string[]> {
    await this.queue.catch(() => undefined);
    return Object.keys((await this.read()).entries);
  }

  private update(change: (entries: Record<string, string>) => void): Promise<void> {
    const next = this.queue.catch(() => undefined).then(async () => {
      const content = await this.read();
      change(content.entries);
      await this.write(content);
    });
    this.queue = next;
    return next;
  }

  private async read(): Promise<KeychainFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: FILE_VERSION, entries: {} };
      throw new LabvaultError(ErrorCodes.IO_ERROR, `Cannot read ${this.file}: ${(error as Error).message}`, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as Partial<KeychainFile>;
      const entries: Record<string, string> = {};
      for (const [id, blob] of Object.entries(parsed.entries ?? {})) if (typeof blob === 'string') entries[id] = blob;
      return { version: FILE_VERSION, entries };
    } catch (error) {
      throw new LabvaultError(ErrorCodes.CORRUPT, `${this.file} is not valid JSON (field "entries"); delete it to forget every remembered passphrase.`, { field: 'entries', cause: error });
    }
  }

  private async write(content: KeychainFile): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.file);
  }
}
