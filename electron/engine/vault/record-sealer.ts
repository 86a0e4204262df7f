/**
 * In an encrypted vault, records (items, policies, jobs, alerts: names and VM paths) are
 * sealed as blobs with the vault's keys, like manifests, so the vault folder leaks nothing.
 * Each blob is bound to its kind and id (record/<kind>/<id>, schedule-slot/<itemId>), so a
 * record file copied over another fails to open.
 */
import { decodeBlob, encodeBlob } from './store/blob-codec.ts';
import type { BlobBinding, VaultKeys } from './store/index.ts';
import type { RecordSealer } from './record-store.ts';

/** SHA-256('labvault record blob v1')[0..8]. DO NOT MODIFY: vaults written earlier must keep reading. */
export const RECORD_BLOB_MAGIC: Buffer = Buffer.from('c665a7daa067ac6e', 'hex');
const RECORD_COMPRESSION_LEVEL = 3;

export function sealedRecords(keys: VaultKeys): RecordSealer {
  return {
    seal: async (plain: Buffer, binding: BlobBinding) => Buffer.concat(await encodeBlob(RECORD_BLOB_MAGIC, plain, {
      compressionLevel: RECORD_COMPRESSION_LEVEL, keys, binding,
    })),
    open: (sealed, what, binding) => decodeBlob(RECORD_BLOB_MAGIC, sealed, keys, `record ${what}`, binding),
  };
}
