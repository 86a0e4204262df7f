/**
 * Paths inside a vault's data directory. Every file the store writes lives under
 * `<vault>/data/`; `vault.json` and `catalog.sqlite` belong to the integrator.
 */
import { join } from 'node:path';
import { invalidInput } from '../../../../shared/errors.ts';

export const DATA_DIR_NAME = 'data';

/** Names of item ids and point ids: safe as one path component everywhere. */
const NAME_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const HEX_ID_PATTERN = /^[0-9a-f]{64}$/;

export class StoreLayout {
  readonly vaultDir: string;
  readonly dataDir: string;
  readonly chunksDir: string;
  readonly indexesDir: string;
  readonly manifestsDir: string;
  readonly deletedManifestsDir: string;
  readonly locksDir: string;
  readonly tmpDir: string;
  readonly exclusiveLockPath: string;
  readonly gcEpochPath: string;

  constructor(vaultDir: string) {
    this.vaultDir = vaultDir;
    this.dataDir = join(vaultDir, DATA_DIR_NAME);
    this.chunksDir = join(this.dataDir, 'chunks');
    this.indexesDir = join(this.dataDir, 'indexes');
    this.manifestsDir = join(this.dataDir, 'manifests');
    this.deletedManifestsDir = join(this.dataDir, 'manifests-deleted');
    this.locksDir = join(this.dataDir, 'locks');
    this.tmpDir = join(this.dataDir, 'tmp');
    this.exclusiveLockPath = join(this.dataDir, 'lock');
    this.gcEpochPath = join(this.dataDir, 'gc-epoch');
  }

  /** Directories created when a store is created (the chunk fan-out is made lazily). */
  allDirs(): string[] {
    return [
      this.dataDir, this.chunksDir, this.indexesDir, this.manifestsDir, this.deletedManifestsDir, this.locksDir,
      this.tmpDir,
    ];
  }

  chunkDir(idHex: string): string {
    return join(this.chunksDir, idHex.slice(0, 2));
  }

  chunkPath(idHex: string): string {
    return join(this.chunksDir, idHex.slice(0, 2), idHex);
  }

  indexPath(idHex: string): string {
    return join(this.indexesDir, idHex.slice(0, 2), idHex);
  }

  manifestPath(itemId: string, pointId: string): string {
    return join(this.manifestsDir, itemId, pointId);
  }

  deletedManifestPath(itemId: string, pointId: string): string {
    return join(this.deletedManifestsDir, itemId, pointId);
  }

  tombstonePath(itemId: string, pointId: string): string {
    return join(this.deletedManifestsDir, itemId, `${pointId}${TOMBSTONE_SUFFIX}`);
  }
}

export const TOMBSTONE_SUFFIX = '.tombstone';
/** Temp files carry this prefix; GC removes old ones. */
export const TMP_PREFIX = '.tmp-';

export function assertName(field: string, value: string): void {
  if (!NAME_PATTERN.test(value) || value.endsWith(TOMBSTONE_SUFFIX)) {
    throw invalidInput(field, `${field} "${value}" is not a valid name: use 1-128 letters, digits, '.', '_' or '-', not starting with '.'.`);
  }
}

export function isHexId(value: string): boolean {
  return HEX_ID_PATTERN.test(value);
}

export function assertHexId(field: string, value: string): void {
  if (!isHexId(value)) throw invalidInput(field, `${field} "${value}" is not a 64-character lowercase hex id.`);
}
