/**
 * Fixed indexes on disk: data/indexes/<first 2 hex>/<index id>, one blob each, named by
 * the digest of the index plaintext (keyed in an encrypted vault). Written durably
 * (temp + fsync + rename + directory fsync); an index that already exists is reused.
 */
import { access } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { INDEX_PLAIN_CAP, readUntrustedFile } from '../../fs/untrusted-file.ts';
import { assertBlobPlainLength } from './blob-limits.ts';
import { INDEX_BLOB_MAGIC } from './format-constants.ts';
import { decodeBlob, encodeBlob } from './blob-codec.ts';
import { indexBinding } from './blob-binding.ts';
import { contentDigest } from './chunk-id.ts';
import { errnoCode, storeIoError, writeFileDurable } from './durable-fs.ts';
import { FixedIndex } from './fixed-index.ts';
import { assertHexId } from './store-layout.ts';
import type { StoreLayout } from './store-layout.ts';
import type { VaultKeys } from './vault-keys.ts';

export class IndexStore {
  private readonly layout: StoreLayout;
  private readonly keys: VaultKeys | undefined;
  private readonly compressionLevel: number | undefined;
  /** The vault's chunk size: every index read must use it. */
  private readonly chunkSize: number | undefined;

  constructor(
    layout: StoreLayout, compressionLevel: number | undefined, keys: VaultKeys | undefined, chunkSize?: number,
  ) {
    this.layout = layout;
    this.compressionLevel = compressionLevel;
    this.keys = keys;
    this.chunkSize = chunkSize;
  }

  /** Digest of an index: its id. */
  async idOf(index: FixedIndex): Promise<string> {
    return contentDigest(index.encode(), this.keys).toString('hex');
  }

  /** Writes `index` durably unless it exists; returns its id (hex). Call after ChunkStore.syncAll(). */
  async write(index: FixedIndex): Promise<string> {
    const plain = index.encode();
    const id = contentDigest(plain, this.keys).toString('hex');
    const path = this.layout.indexPath(id);
    if (await this.exists(id)) return id;
    const parts = await encodeBlob(INDEX_BLOB_MAGIC, plain, {
      compressionLevel: this.compressionLevel, keys: this.keys, binding: indexBinding(id),
    });
    await writeFileDurable(path, Buffer.concat(parts), { tmpDir: this.layout.tmpDir, createDir: true, readOnly: true });
    return id;
  }

  async exists(id: string): Promise<boolean> {
    try {
      await access(this.layout.indexPath(id));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Reads and checks an index (blob integrity, digest = id, chunk size = the vault's, and
   * the file size = `expectedFileSize` when given: the manifest's). Missing or damaged: CORRUPT.
   */
  async read(id: string, expectedFileSize?: number): Promise<FixedIndex> {
    assertHexId('indexId', id);
    const path = this.layout.indexPath(id);
    let bytes: Buffer;
    try {
      bytes = await readUntrustedFile(path, 'index');
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') throw new LabvaultError(ErrorCodes.CORRUPT, `Index ${id} is missing from the vault (${path}).`, { details: { indexId: id, path } });
      throw storeIoError(path, 'read index', error);
    }
    const what = `Index ${id} (${path})`;
    assertBlobPlainLength(bytes, INDEX_PLAIN_CAP, what);
    const plain = await decodeBlob(INDEX_BLOB_MAGIC, bytes, this.keys, what, indexBinding(id));
    const digest = contentDigest(plain, this.keys).toString('hex');
    if (digest !== id) throw new LabvaultError(ErrorCodes.CORRUPT, `${what} is damaged: its content does not match its id.`, { details: { indexId: id, path } });
    const index = FixedIndex.decode(plain, what, this.chunkSize);
    if (expectedFileSize !== undefined && index.fileSize !== expectedFileSize) {
      throw new LabvaultError(ErrorCodes.CORRUPT, `${what} is damaged: it describes ${index.fileSize} bytes where the manifest says ${expectedFileSize}.`, { details: { indexId: id, path } });
    }
    return index;
  }
}
