/**
 * The vault KDF's scrypt (ROMix in WebAssembly SIMD, lanes in workers) gives node:crypto's
 * scrypt byte for byte: RFC 7914's vectors, and random passphrases, salts and parameters
 * (r from 1 to 16, p from 1 to 5, N from 2 to 2^16). The embedded module is the assembled
 * text of build/wasm/scrypt-romix-wat.mjs.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes, scryptSync } from 'node:crypto';
import { scryptKey, scryptRomixModule, type ScryptPath } from '../../../electron/engine/vault/store/scrypt-kdf.ts';
import { SCRYPT_ROMIX_WASM_BASE64 } from '../../../electron/engine/vault/store/scrypt-romix-wasm.ts';
import { changePassphrase, createEncryption, unlock, DEFAULT_KDF_PARAMS } from '../../../electron/engine/vault/store/index.ts';
import { rewrapKdfParams } from '../../../electron/engine/vault/store/vault-keys.ts';
// @ts-expect-error: a build script in plain JavaScript, no declarations
import { assembleScryptRomix } from '../../../build/wasm/scrypt-romix-wat.mjs';

async function derive(passphrase: string, salt: Buffer, length: number, n: number, r: number, p: number) {
  let path: ScryptPath | undefined;
  const key = await scryptKey(passphrase, salt, length, { n, r, p }, (how) => { path = how; });
  return { key, path };
}

describe('scrypt for vault keys', () => {
  it('runs on WebAssembly SIMD here', () => {
    expect(scryptRomixModule()).not.toBeNull();
  });

  it('gives RFC 7914 test vectors', async () => {
    const empty = await derive('', Buffer.alloc(0), 64, 16, 1, 1);
    expect(empty.path).toBe('wasm-workers');
    expect(empty.key.toString('hex')).toBe('77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442'
      + 'fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906');
    const nacl = await derive('password', Buffer.from('NaCl'), 64, 1024, 8, 16);
    expect(nacl.key.toString('hex')).toBe('fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162'
      + '2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640');
  });

  it('equals node:crypto for random passphrases, salts and parameters', async () => {
    const cases: Array<[number, number, number]> = [
      [2, 1, 1], [16, 2, 3], [256, 16, 1], [1024, 8, 2], [2048, 4, 5], [4096, 1, 2], [1 << 14, 8, 1], [1 << 16, 8, 2],
    ];
    for (const [n, r, p] of cases) {
      const passphrase = `${randomBytes(6).toString('base64')} ünïcödé ${n}`;
      const salt = randomBytes(16);
      const length = 16 + (n % 48);
      const ours = await derive(passphrase, salt, length, n, r, p);
      expect(ours.path, `N=${n} r=${r} p=${p}`).toBe('wasm-workers');
      const reference = scryptSync(passphrase, salt, length, { N: n, r, p, maxmem: 256 * 1024 * 1024 });
      expect(ours.key.toString('hex'), `N=${n} r=${r} p=${p}`).toBe(reference.toString('hex'));
    }
  });

  it('derives keys side by side without mixing them up', async () => {
    const salts = [randomBytes(16), randomBytes(16), randomBytes(16)];
    const keys = await Promise.all(salts.map((salt, i) => scryptKey(`pass ${i}`, salt, 32, { n: 4096, r: 8, p: 2 })));
    salts.forEach((salt, i) => {
      expect(keys[i]!.equals(scryptSync(`pass ${i}`, salt, 32, { N: 4096, r: 8, p: 2 }))).toBe(true);
    });
  });

  it('unlocks a vault made with the earlier default cost (N=2^17, r=8, p=1) and with the current one', async () => {
    expect(DEFAULT_KDF_PARAMS).toEqual({ n: 1 << 16, r: 8, p: 2 });
    for (const params of [{ n: 1 << 17, r: 8, p: 1 }, DEFAULT_KDF_PARAMS]) {
      const created = await createEncryption('correct horse', params);
      expect(created.settings).toMatchObject(params);
      const keys = await unlock(created.settings, 'correct horse');
      expect(keys.dataKey.export().equals(created.keys.dataKey.export())).toBe(true);
      await expect(unlock(created.settings, 'wrong horse')).rejects.toMatchObject({ code: 'BAD_PASSPHRASE' });
    }
  });

  it('a passphrase change moves a vault of the earlier default to the current cost, and keeps a stronger one', async () => {
    const earlier = await createEncryption('old passphrase', { n: 1 << 17, r: 8, p: 1 });
    const moved = await changePassphrase(earlier.settings, 'old passphrase', 'new passphrase');
    expect(moved).toMatchObject(DEFAULT_KDF_PARAMS);
    const keys = await unlock(moved, 'new passphrase');
    expect(keys.dataKey.export().equals(earlier.keys.dataKey.export())).toBe(true);
    expect(rewrapKdfParams({ n: 1 << 17, r: 8, p: 2 })).toEqual({ n: 1 << 17, r: 8, p: 2 });
    expect(rewrapKdfParams({ n: 1 << 14, r: 8, p: 1 })).toEqual(DEFAULT_KDF_PARAMS);
  });

  it('embeds the module assembled from build/wasm/scrypt-romix-wat.mjs', async () => {
    const bytes = (await assembleScryptRomix()) as Buffer;
    expect(bytes.toString('base64')).toBe(SCRYPT_ROMIX_WASM_BASE64);
  });
});
