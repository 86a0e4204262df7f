/**
 * The on-disk format versions this build reads and writes (`labvault --version`), taken from
 * the constants the vault and its store use, so the report cannot drift from the code.
 * See docs/FORMAT.md: vault.json `formatVersion` (section 12), manifest `formatVersion`
 * (section 6) and the blob header's version byte (section 3).
 */
import { MANIFEST_FORMAT_VERSION } from '../vault/store/manifest.ts';
import {
  BLOB_FORMAT_VERSION, BLOB_FORMAT_VERSION_BOUND, BLOB_FORMAT_VERSION_MAX,
} from '../vault/store/format-constants.ts';
import { VAULT_FORMAT_VERSION } from '../vault/vault-config.ts';

export interface FormatVersionRange {
  /** What this format is (shown by `labvault --version`). */
  name: 'vault' | 'manifest' | 'blob';
  /** Every version readers accept, oldest first. */
  reads: number[];
  /** The versions writers produce (blobs: 1 for plain, 2 for encrypted). */
  writes: number[];
}

function upTo(highest: number): number[] {
  return Array.from({ length: highest }, (_, index) => index + 1);
}

export function formatVersions(): FormatVersionRange[] {
  return [
    { name: 'vault', reads: upTo(VAULT_FORMAT_VERSION), writes: [VAULT_FORMAT_VERSION] },
    { name: 'manifest', reads: upTo(MANIFEST_FORMAT_VERSION), writes: [MANIFEST_FORMAT_VERSION] },
    { name: 'blob', reads: upTo(BLOB_FORMAT_VERSION_MAX), writes: [BLOB_FORMAT_VERSION, BLOB_FORMAT_VERSION_BOUND] },
  ];
}
