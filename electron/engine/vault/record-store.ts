/**
 * Small JSON records that make a vault self-contained: protected items and policies,
 * kept under <vault>/data/records/<kind>/<id>.json and written atomically. The catalog
 * indexes them and is rebuilt from them. In an encrypted vault a record is sealed with the
 * vault's keys (see RecordSealer) so names and VM paths do not leak.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { writeFileAtomic } from '../fs/atomic-file.ts';
import { ioError } from '../fs/io-error.ts';
import { readUntrustedFile, VAULT_FILE_CAPS } from '../fs/untrusted-file.ts';
import { assertBlobPlainLength } from './store/blob-limits.ts';
import { parseRecord, type RecordKind } from './record-schemas.ts';
import { vaultDataDir } from './vault-contents.ts';
import { recordBinding, type BlobBinding } from './store/index.ts';

export type { RecordKind } from './record-schemas.ts';

/** Seals/opens record bytes bound to their kind and id (`binding`); identity for plain vaults. */
export interface RecordSealer {
  seal(plain: Buffer, binding: BlobBinding): Promise<Buffer>;
  open(sealed: Buffer, what: string, binding: BlobBinding): Promise<Buffer>;
}

export const plainRecords: RecordSealer = {
  seal: async (plain) => plain,
  open: async (sealed) => sealed,
};

const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Gives the sealer records are written and read with, asked for at every read and write:
 * plain for a plain vault; for an encrypted vault the keyring's, which unlocks the vault first
 * when it is locked (BAD_PASSPHRASE when it cannot), so records are never read or written in clear.
 */
export type RecordSealerSource = () => Promise<RecordSealer>;

export class RecordStore {
  private readonly root: string;
  private readonly sealerSource: RecordSealerSource;

  constructor(vaultDir: string, sealerSource: RecordSealerSource = () => Promise.resolve(plainRecords)) {
    this.root = join(vaultDataDir(vaultDir), 'records');
    this.sealerSource = sealerSource;
  }

  /** The sealer of this vault's records now (the schedule slot files are sealed with it too). */
  sealer(): Promise<RecordSealer> {
    return this.sealerSource();
  }

  private path(kind: RecordKind, id: string): string {
    if (!ID_PATTERN.test(id)) throw new LabvaultError(ErrorCodes.INTERNAL, `Invalid record id ${id}.`);
    return join(this.root, kind, `${id}.json`);
  }

  async write(kind: RecordKind, id: string, value: unknown): Promise<void> {
    const sealer = await this.sealer();
    const plain = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    await writeFileAtomic(this.path(kind, id), await sealer.seal(plain, recordBinding(kind, id)));
  }

  async read<T>(kind: RecordKind, id: string): Promise<T | null> {
    const sealer = await this.sealer();
    const path = this.path(kind, id);
    let bytes: Buffer;
    try {
      bytes = await readUntrustedFile(path, 'record');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw ioError(path, 'read', error);
    }
    return this.decode<T>(sealer, bytes, path, kind, id);
  }

  async remove(kind: RecordKind, id: string): Promise<void> {
    await rm(this.path(kind, id), { force: true });
  }

  async list<T>(kind: RecordKind): Promise<T[]> {
    const sealer = await this.sealer();
    const dir = join(this.root, kind);
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(ioError(dir, 'list', error))));
    const records: T[] = [];
    for (const name of names.sort()) {
      const id = name.slice(0, -'.json'.length);
      // Temp files start with '.'; a name that is no record id cannot be a record Labvault wrote.
      if (!name.endsWith('.json') || !ID_PATTERN.test(id)) continue;
      const path = join(dir, name);
      const bytes = await readUntrustedFile(path, 'record').catch((error: unknown) => { throw ioError(path, 'read', error); });
      records.push(await this.decode<T>(sealer, bytes, path, kind, id));
    }
    return records;
  }

  /** The ids of the records of `kind` (names that are no record id are left out); nothing is opened. */
  async ids(kind: RecordKind): Promise<string[]> {
    const dir = join(this.root, kind);
    const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(ioError(dir, 'list', error))));
    return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length))
      .filter((id) => ID_PATTERN.test(id)).sort();
  }

  /** Opens, parses and checks a record against its kind's schema (record-schemas.ts). */
  private async decode<T>(sealer: RecordSealer, bytes: Buffer, path: string, kind: RecordKind, id: string): Promise<T> {
    let value: unknown;
    try {
      if (sealer !== plainRecords) assertBlobPlainLength(bytes, VAULT_FILE_CAPS.record.bytes, `Vault record ${path}`);
      const plain = await sealer.open(bytes, path, recordBinding(kind, id));
      value = JSON.parse(plain.toString('utf8'));
    } catch (error) {
      if (error instanceof LabvaultError) throw error;
      throw new LabvaultError(ErrorCodes.CORRUPT, `Vault record ${path} is damaged (${error instanceof Error ? error.message : String(error)}).`, { details: { path } });
    }
    return parseRecord(kind, value, id, path) as T;
  }
}
