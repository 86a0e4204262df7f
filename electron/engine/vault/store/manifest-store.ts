/**
 * Manifests on disk, live and soft-deleted:
 *   data/manifests/<itemId>/<pointId>                     live point
 *   data/manifests-deleted/<itemId>/<pointId>             soft-deleted point (same blob, moved)
 *   data/manifests-deleted/<itemId>/<pointId>.tombstone   {deletedAt, purgeAt} blob
 * A manifest is created with link() from a synced temp file, so an existing point is
 * never overwritten. Moves between the two states are single renames.
 */
import { readdir, rename, rm, mkdir, access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { MANIFEST_PLAIN_CAP, VAULT_FILE_CAPS, readUntrustedFile } from '../../fs/untrusted-file.ts';
import { assertBlobPlainLength } from './blob-limits.ts';
import { MANIFEST_BLOB_MAGIC, TOMBSTONE_BLOB_MAGIC } from './format-constants.ts';
import { TombstoneSchema } from './manifest-schema.ts';
import { decodeBlob, encodeBlob } from './blob-codec.ts';
import { manifestBinding, tombstoneBinding } from './blob-binding.ts';
import { errnoCode, fsyncDir, storeIoError, writeFileDurable } from './durable-fs.ts';
import { MANIFEST_FORMAT_VERSION, decodeManifest, encodeManifest, validateManifest } from './manifest.ts';
import type { Manifest, ManifestInput } from './manifest.ts';
import { assertName, TOMBSTONE_SUFFIX } from './store-layout.ts';
import type { StoreLayout } from './store-layout.ts';
import type { VaultKeys } from './vault-keys.ts';

export type ManifestState = 'live' | 'soft-deleted';

export interface ManifestRef {
  itemId: string;
  pointId: string;
  state: ManifestState;
  /** For soft-deleted points, from the tombstone (absent if the tombstone is missing). */
  deletedAt?: string;
  purgeAt?: string | null;
}

interface Tombstone {
  deletedAt: string;
  purgeAt: string | null;
}

const MANIFEST_COMPRESSION_LEVEL = 3;

export class ManifestStore {
  private readonly layout: StoreLayout;
  private readonly keys: VaultKeys | undefined;

  constructor(layout: StoreLayout, keys: VaultKeys | undefined) {
    this.layout = layout;
    this.keys = keys;
  }

  private pathOf(ref: { itemId: string; pointId: string }, state: ManifestState): string {
    return state === 'live' ? this.layout.manifestPath(ref.itemId, ref.pointId) : this.layout.deletedManifestPath(ref.itemId, ref.pointId);
  }

  /** Writes a new manifest durably. The caller wrote (and synced) its chunks and indexes first. */
  async write(input: ManifestInput): Promise<Manifest> {
    const manifest: Manifest = { ...input, formatVersion: MANIFEST_FORMAT_VERSION };
    validateManifest(manifest);
    if (await this.stateOf(manifest.itemId, manifest.pointId) !== undefined) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `Recovery point ${manifest.pointId} of item ${manifest.itemId} already exists.`, { field: 'pointId' });
    }
    const parts = await encodeBlob(MANIFEST_BLOB_MAGIC, encodeManifest(manifest), {
      compressionLevel: MANIFEST_COMPRESSION_LEVEL, keys: this.keys,
      binding: manifestBinding(manifest.itemId, manifest.pointId),
    });
    const path = this.layout.manifestPath(manifest.itemId, manifest.pointId);
    const itemDir = dirname(path);
    const created = !(await access(itemDir).then(() => true, () => false));
    await writeFileDurable(path, Buffer.concat(parts), {
      tmpDir: this.layout.tmpDir, createDir: true, noReplace: true, readOnly: true,
    });
    if (created) await fsyncDir(this.layout.manifestsDir);
    return manifest;
  }

  async stateOf(itemId: string, pointId: string): Promise<ManifestState | undefined> {
    assertName('itemId', itemId);
    assertName('pointId', pointId);
    for (const state of ['live', 'soft-deleted'] as const) {
      if (await access(this.pathOf({ itemId, pointId }, state)).then(() => true, () => false)) return state;
    }
    return undefined;
  }

  /** Reads a manifest, live or soft-deleted. Missing: NOT_FOUND; damaged: CORRUPT. */
  async read(itemId: string, pointId: string): Promise<Manifest> {
    const state = await this.stateOf(itemId, pointId);
    if (state === undefined) throw new LabvaultError(ErrorCodes.NOT_FOUND, `Recovery point ${pointId} of item ${itemId} does not exist.`, { field: 'pointId' });
    const path = this.pathOf({ itemId, pointId }, state);
    const bytes = await readUntrustedFile(path, 'manifest').catch((error: unknown) => { throw storeIoError(path, 'read manifest', error); });
    const what = `Manifest ${itemId}/${pointId} (${path})`;
    assertBlobPlainLength(bytes, MANIFEST_PLAIN_CAP, what);
    const plain = await decodeBlob(MANIFEST_BLOB_MAGIC, bytes, this.keys, what, manifestBinding(itemId, pointId));
    const manifest = decodeManifest(plain, what);
    if (manifest.itemId !== itemId || manifest.pointId !== pointId) throw new LabvaultError(ErrorCodes.CORRUPT, `${what} names a different point (${manifest.itemId}/${manifest.pointId}).`, { details: { path } });
    return manifest;
  }

  private async listDir(root: string): Promise<Array<{ itemId: string; names: string[] }>> {
    const items = await readdir(root).catch((error: unknown) => { if (errnoCode(error) === 'ENOENT') return [] as string[]; throw storeIoError(root, 'list', error); });
    const out: Array<{ itemId: string; names: string[] }> = [];
    for (const itemId of items.sort()) {
      if (itemId.startsWith('.')) continue;
      const names = await readdir(`${root}/${itemId}`).catch(() => [] as string[]);
      out.push({ itemId, names: names.filter((name) => !name.startsWith('.')).sort() });
    }
    return out;
  }

  /** Lists points, live ones first; with includeDeleted also the soft-deleted ones. */
  async list(options: { itemId?: string; includeDeleted?: boolean } = {}): Promise<ManifestRef[]> {
    const refs: ManifestRef[] = [];
    for (const { itemId, names } of await this.listDir(this.layout.manifestsDir)) {
      if (options.itemId !== undefined && itemId !== options.itemId) continue;
      for (const pointId of names) refs.push({ itemId, pointId, state: 'live' });
    }
    if (options.includeDeleted === true) {
      for (const { itemId, names } of await this.listDir(this.layout.deletedManifestsDir)) {
        if (options.itemId !== undefined && itemId !== options.itemId) continue;
        for (const pointId of names.filter((name) => !name.endsWith(TOMBSTONE_SUFFIX))) {
          const tomb = await this.readTombstone(itemId, pointId);
          refs.push({ itemId, pointId, state: 'soft-deleted', ...(tomb === undefined ? {} : tomb) });
        }
      }
    }
    return refs;
  }

  private async readTombstone(itemId: string, pointId: string): Promise<Tombstone | undefined> {
    const path = this.layout.tombstonePath(itemId, pointId);
    try {
      const what = `Tombstone ${itemId}/${pointId}`;
      const bytes = await readUntrustedFile(path, 'tombstone');
      assertBlobPlainLength(bytes, VAULT_FILE_CAPS.tombstone.bytes, what);
      const plain = await decodeBlob(TOMBSTONE_BLOB_MAGIC, bytes, this.keys, what, tombstoneBinding(itemId, pointId));
      return TombstoneSchema.parse(JSON.parse(plain.toString('utf8')));
    } catch {
      return undefined;
    }
  }

  /** Moves a live point to the soft-deleted state. GC still keeps its chunks. */
  async softDelete(
    itemId: string, pointId: string, options: { deletedAt: string; purgeAt: string | null },
  ): Promise<void> {
    if (await this.stateOf(itemId, pointId) !== 'live') throw new LabvaultError(ErrorCodes.NOT_FOUND, `Recovery point ${pointId} of item ${itemId} is not a live point.`, { field: 'pointId' });
    const tomb: Tombstone = { deletedAt: options.deletedAt, purgeAt: options.purgeAt };
    const parts = await encodeBlob(TOMBSTONE_BLOB_MAGIC, Buffer.from(JSON.stringify(tomb)), {
      compressionLevel: undefined, keys: this.keys, binding: tombstoneBinding(itemId, pointId),
    });
    await writeFileDurable(this.layout.tombstonePath(itemId, pointId), Buffer.concat(parts), {
      tmpDir: this.layout.tmpDir, createDir: true,
    });
    await this.move(this.layout.manifestPath(itemId, pointId), this.layout.deletedManifestPath(itemId, pointId));
  }

  /** Brings a soft-deleted point back to live. */
  async restoreDeleted(itemId: string, pointId: string): Promise<void> {
    if (await this.stateOf(itemId, pointId) !== 'soft-deleted') throw new LabvaultError(ErrorCodes.NOT_FOUND, `Recovery point ${pointId} of item ${itemId} is not soft-deleted.`, { field: 'pointId' });
    await this.move(this.layout.deletedManifestPath(itemId, pointId), this.layout.manifestPath(itemId, pointId));
    await rm(this.layout.tombstonePath(itemId, pointId), { force: true });
  }

  /** Removes a point for good (live or soft-deleted). Its chunks go at the next GC. */
  async delete(itemId: string, pointId: string): Promise<void> {
    const state = await this.stateOf(itemId, pointId);
    if (state === undefined) throw new LabvaultError(ErrorCodes.NOT_FOUND, `Recovery point ${pointId} of item ${itemId} does not exist.`, { field: 'pointId' });
    const path = this.pathOf({ itemId, pointId }, state);
    await rm(path).catch((error: unknown) => { throw storeIoError(path, 'delete manifest', error); });
    await fsyncDir(dirname(path));
    if (state === 'soft-deleted') await rm(this.layout.tombstonePath(itemId, pointId), { force: true });
  }

  private async move(from: string, to: string): Promise<void> {
    await mkdir(dirname(to), { recursive: true }).catch((error: unknown) => { throw storeIoError(dirname(to), 'create directory', error); });
    await rename(from, to).catch((error: unknown) => { throw storeIoError(from, 'move manifest', error); });
    await fsyncDir(dirname(to));
    await fsyncDir(dirname(from));
  }
}
