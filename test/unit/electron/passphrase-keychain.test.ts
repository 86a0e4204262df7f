/**
 * The remembered-passphrase store. Electron's safeStorage does not run here (no Electron
 * binary), so the cipher is a stand-in with the same three methods; the file handling,
 * refusal rules and errors are the real code.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PassphraseKeychain, type SecretCipher } from '../../../electron/desktop/passphrase-keychain.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

/** Reversible and not plain text: enough to prove the file never holds the passphrase. */
function standInCipher(backend?: string, available = true): SecretCipher {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (text) => Buffer.from(`sealed:${Buffer.from(text).reverse().toString('hex')}`),
    decryptString: (blob) => {
      const text = blob.toString();
      if (!text.startsWith('sealed:')) throw new Error('cannot decrypt');
      return Buffer.from(text.slice('sealed:'.length), 'hex').reverse().toString();
    },
    ...(backend !== undefined ? { getSelectedStorageBackend: () => backend } : {}),
  };
}

const dirs: string[] = [];
function appHome(): string {
  const dir = makeTempDir('labvault-keychain-');
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) removeDir(dir);
});

describe('PassphraseKeychain (stand-in cipher: safeStorage needs Electron)', () => {
  it('remembers, recalls and forgets per vault id, never writing the passphrase in clear', async () => {
    const keychain = new PassphraseKeychain({ appHome: appHome(), cipher: standInCipher('gnome_libsecret') });
    expect(keychain.isAvailable()).toBe(true);
    await Promise.all([keychain.remember('vault-a', 'correct horse'), keychain.remember('vault-b', 'battery staple')]);
    expect(await keychain.recall('vault-a')).toBe('correct horse');
    expect(await keychain.recall('vault-b')).toBe('battery staple');
    expect((await keychain.rememberedVaults()).sort()).toEqual(['vault-a', 'vault-b']);
    const text = readFileSync(keychain.file, 'utf8');
    expect(text).not.toContain('correct horse');
    expect(statSync(keychain.file).mode & 0o777).toBe(0o600);
    expect(await keychain.forget('vault-a')).toBe(true);
    expect(await keychain.forget('vault-a')).toBe(false);
    expect(await keychain.recall('vault-a')).toBeNull();
    expect(await new PassphraseKeychain({ appHome: appHome(), cipher: standInCipher() }).recall('vault-b')).toBeNull();
  });

  it('refuses to remember without a real keyring (Linux basic_text) or any encryption', async () => {
    for (const cipher of [standInCipher('basic_text'), standInCipher(undefined, false)]) {
      const keychain = new PassphraseKeychain({ appHome: appHome(), cipher });
      expect(keychain.isAvailable()).toBe(false);
      await expect(keychain.remember('vault-a', 'pw')).rejects.toMatchObject({ code: 'UNSUPPORTED', field: 'remember' });
    }
  });

  it('answers null for a blob the keychain can no longer decrypt, and names the file when it is damaged', async () => {
    const home = appHome();
    const keychain = new PassphraseKeychain({ appHome: home, cipher: standInCipher() });
    writeFileSync(keychain.file, JSON.stringify({ version: 1, entries: { 'vault-a': Buffer.from('garbage').toString('base64') } }));
    expect(await keychain.recall('vault-a')).toBeNull();
    writeFileSync(keychain.file, '{ not json');
    await expect(keychain.recall('vault-a')).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining(keychain.file) });
  });
});
