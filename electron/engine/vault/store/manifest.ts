/**
 * Manifest: one recovery point of one item. A JSON document stored as a blob (compressed,
 * encrypted in an encrypted vault) at data/manifests/<itemId>/<pointId>.
 * A point exists iff its manifest exists.
 */
import { invalidInput } from '../../../../shared/errors.ts';
import { corruptBlob } from './blob-codec.ts';
import { MANIFEST_LIMITS, ManifestSchema, POINT_FILE_NAME_PATTERN } from './manifest-schema.ts';
import { assertHexId, assertName } from './store-layout.ts';

export const MANIFEST_FORMAT_VERSION = 1;

export type FileRole = 'config' | 'disk' | 'nvram' | 'other';
const ROLES: ReadonlySet<string> = new Set(['config', 'disk', 'nvram', 'other']);

export interface ManifestFile {
  /** The file's name in the point: one path component (POINT_FILE_NAME_PATTERN). */
  path: string;
  role: FileRole;
  size: number;
  mode: number;
  mtimeMs: number;
  /** Inode and device at backup time, for the integrator's "unchanged file" fast path. */
  ino?: number;
  dev?: number;
  /** Detected disk image format (raw, qcow2, vmdk...), for disks. */
  diskFormat?: string;
  /** Id of the file's FixedIndex (hex). */
  indexId: string;
  /**
   * Digest of the whole file's content, as the index id: a digest over the ordered chunk
   * ids (each itself a digest of its chunk), chunk size and file size.
   */
  digest: string;
  digestKind: 'chunk-list';
  /** Bytes newly written to the vault for this file by this point (0 if index reused). */
  storedBytesNew?: number;
}

export interface Manifest {
  formatVersion: number;
  pointId: string;
  itemId: string;
  /** ISO 8601 UTC. */
  createdAt: string;
  files: ManifestFile[];
  /** e.g. 'crash-consistent' | 'powered-off' | 'application-consistent'. */
  consistency?: string;
  tiers?: string[];
  /** Retain-until, ISO 8601, or null for none. */
  expiresAt?: string | null;
  onDemand?: boolean;
  policy?: Record<string, unknown>;
  /** Anything else the integrator wants kept with the point. */
  extra?: Record<string, unknown>;
}

/** What the caller supplies; the store fills formatVersion. */
export type ManifestInput = Omit<Manifest, 'formatVersion'>;

function checkFileName(path: string, field: string): void {
  if (typeof path !== 'string' || !POINT_FILE_NAME_PATTERN.test(path)) {
    throw invalidInput(field, `${field} ${JSON.stringify(path)} must be one file name of letters, digits, '.', '_', '-' and spaces, not starting with '.'.`);
  }
}

/** Checks a manifest before writing; throws INVALID_INPUT naming the field. */
export function validateManifest(manifest: Manifest): void {
  assertName('itemId', manifest.itemId);
  assertName('pointId', manifest.pointId);
  if (Number.isNaN(Date.parse(manifest.createdAt))) throw invalidInput('createdAt', `createdAt "${manifest.createdAt}" is not an ISO date.`);
  if (!Array.isArray(manifest.files)) throw invalidInput('files', 'files must be an array.');
  if (manifest.files.length > MANIFEST_LIMITS.files) throw invalidInput('files', `A point holds at most ${MANIFEST_LIMITS.files} files.`);
  const seen = new Set<string>();
  manifest.files.forEach((file, i) => {
    const field = `files[${i}]`;
    checkFileName(file.path, `${field}.path`);
    if (seen.has(file.path)) throw invalidInput(`${field}.path`, `${field}.path "${file.path}" appears twice.`);
    seen.add(file.path);
    if (!ROLES.has(file.role)) throw invalidInput(`${field}.role`, `${field}.role "${file.role}" must be config, disk, nvram or other.`);
    if (!Number.isSafeInteger(file.size) || file.size < 0) throw invalidInput(`${field}.size`, `${field}.size must be a non-negative integer.`);
    assertHexId(`${field}.indexId`, file.indexId);
  });
}

export function encodeManifest(manifest: Manifest): Buffer {
  return Buffer.from(JSON.stringify(manifest), 'utf8');
}

export function decodeManifest(plain: Buffer, what: string): Manifest {
  let value: unknown;
  try {
    value = JSON.parse(plain.toString('utf8'));
  } catch {
    throw corruptBlob(what, 'manifest is not valid JSON');
  }
  if (typeof value !== 'object' || value === null) throw corruptBlob(what, 'manifest is not a JSON object');
  const version = (value as { formatVersion?: unknown }).formatVersion;
  if (typeof version !== 'number' || version > MANIFEST_FORMAT_VERSION) throw corruptBlob(what, `unknown manifest format version ${String(version).slice(0, 40)}`);
  const parsed = ManifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corruptBlob(what, `manifest field ${issue?.path.join('.') || 'manifest'}: ${issue?.message ?? 'invalid'}`);
  }
  const manifest = parsed.data as Manifest;
  try {
    validateManifest(manifest);
  } catch (error) {
    throw corruptBlob(what, `manifest fails validation (${error instanceof Error ? error.message : String(error)})`);
  }
  return manifest;
}
