/**
 * GuestService: files inside a point's disks without restoring them. `parts` lists the
 * partitions and volumes with their filesystems; `list` a folder; `get` writes files and
 * folders out (guest-extract.ts); `history` finds every point holding a path, with size,
 * modification time and a sha256 of its content. Each call opens the point's disks over
 * the vault (one chunk cache, bounded in bytes, shared by every call) and parses them in a
 * guest worker bounded in time and memory.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError, isLabvaultError } from '../../../shared/errors.ts';
import { listPointRows, readPointRow } from '../backup/point-record.ts';
import type { PointRow } from '../backup/point-record.ts';
import type { ProtectionService, ResolvedItem } from '../protection/protection-service.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import { openTargetRoot } from '../restore/restore-target.ts';
import { ChunkCache } from './chunk-cache.ts';
import type { GuestEntry, GuestVolume } from './guest-filesystem.ts';
import { existingTargets, GuestExtractor } from './guest-extract.ts';
import type { ExtractedItem } from './guest-extract.ts';
import { GuestSession } from './guest-session.ts';
import type { ChosenVolume, VolumeChoice } from './guest-session.ts';
import { pointFilesOf } from './point-files.ts';
import type { PointFiles } from './point-files.ts';
import { quickLayout } from './guest-quick-look.ts';
import type { GuestWorkerLimits } from './guest-worker-client.ts';
import type { LayoutView } from './guest-worker-protocol.ts';
import { testRestorePoint } from './guest-test-restore.ts';
import type { TestRestore } from '../../../shared/contract/item-models.ts';

/** Default chunk cache: 256 MiB of decoded chunks. */
export const DEFAULT_GUEST_CACHE_BYTES = 256 * 1024 * 1024;

export interface GuestServiceOptions {
  cacheBytes?: number;
  limits?: Partial<GuestWorkerLimits>;
}

export interface PointRef extends VolumeChoice {
  item: string;
  point: string;
}

export interface ReadFigures {
  /** Chunks fetched from the vault (cache misses) by this call. */
  chunksRead: number;
  elapsedMs: number;
}

export interface PartsResult extends LayoutView, ReadFigures {
  item: string;
  point: string;
}

export interface ListResult extends ReadFigures {
  volume: GuestVolume & { disk: number };
  path: string;
  entries: GuestEntry[];
}

export interface GetResult extends ReadFigures {
  volume: GuestVolume & { disk: number };
  to: string;
  items: ExtractedItem[];
}

export interface HistoryVersion {
  point: string;
  createdAt: string;
  type: GuestEntry['type'];
  size: number;
  mtimeMs: number;
  sha256?: string;
  /** true when the content differs from the previous (older) point holding the path. */
  changed: boolean;
}

export interface HistoryResult {
  item: string;
  path: string;
  versions: HistoryVersion[];
  /** Points where the path is absent or the guest could not be read, with the reason. */
  skipped: { point: string; createdAt: string; reason: string; code: string }[];
}

type Resolver = Pick<ProtectionService, 'resolve'>;
type Stores = Pick<VaultKeyring, 'store'>;

function volumeView(chosen: ChosenVolume): GuestVolume & { disk: number } {
  return { ...chosen.volume, disk: chosen.disk };
}

export class GuestService {
  private readonly protection: Resolver;
  private readonly keyring: Stores;
  private readonly cache: ChunkCache;
  private readonly limits: Partial<GuestWorkerLimits>;

  constructor(protection: Resolver, keyring: Stores, options: GuestServiceOptions = {}) {
    this.protection = protection;
    this.keyring = keyring;
    this.cache = new ChunkCache(options.cacheBytes ?? DEFAULT_GUEST_CACHE_BYTES);
    this.limits = options.limits ?? {};
  }

  private pointOf(resolved: ResolvedItem, pointId: string): PointRow {
    const point = readPointRow(resolved.session, pointId);
    if (!point || point.itemId !== resolved.record.id) {
      throw new LabvaultError(ErrorCodes.NOT_FOUND, `Item "${resolved.record.name}" has no recovery point ${pointId}. `
        + `"labvault points list ${resolved.record.name}" shows them.`, { field: 'point' });
    }
    return point;
  }

  /**
   * Runs `work` on an opened point and closes it, whatever happens. `before` may answer from
   * the disks alone (no worker started) by returning non-null.
   */
  private async withPoint<T>(resolved: ResolvedItem, point: PointRow,
    work: (session: GuestSession) => Promise<T>,
    before?: (files: PointFiles) => Promise<T | null>): Promise<T & ReadFigures> {
    const started = performance.now();
    const store = await this.keyring.store(resolved.session);
    const manifest = await store.readManifest(resolved.record.id, point.id);
    const files = pointFilesOf(store, manifest, this.cache);
    const early = before ? await before(files) : null;
    if (early !== null) {
      return { ...early, chunksRead: files.counters.chunksRead, elapsedMs: Math.round(performance.now() - started) };
    }
    const session = await GuestSession.open(store, manifest, this.cache, this.limits, files);
    try {
      const result = await work(session);
      return { ...result, chunksRead: session.chunksRead(), elapsedMs: Math.round(performance.now() - started) };
    } finally {
      await session.close();
    }
  }

  async parts(ref: { item: string; point: string }): Promise<PartsResult> {
    const resolved = await this.protection.resolve(ref.item);
    const point = this.pointOf(resolved, ref.point);
    const result = await this.withPoint(resolved, point, async (session) => ({ ...(await session.layout()) }));
    return { item: resolved.record.name, point: point.id, ...result };
  }

  /**
   * A test restore of the point (guest-test-restore.ts): partition tables and each readable
   * filesystem's metadata. What it finds in the disks is the result; only a missing item or
   * point, or a vault that cannot be read, throws.
   */
  async testRestore(ref: { item: string; point: string }): Promise<TestRestore> {
    const resolved = await this.protection.resolve(ref.item);
    const point = this.pointOf(resolved, ref.point);
    const result = await this.withPoint(resolved, point, async (session) => ({ ...(await testRestorePoint(session)) }),
      // Disks with no signature to parse (most plain files) are told apart without starting the worker.
      async (files) => {
        const layout = await quickLayout(files);
        return layout ? { ...(await testRestorePoint({ layout: async () => layout, check: async () => [] })) } : null;
      });
    return {
      pointId: point.id, itemId: resolved.record.id, status: result.status, checkedAt: new Date().toISOString(),
      reasons: result.reasons, volumes: result.volumes, chunksRead: result.chunksRead, elapsedMs: result.elapsedMs,
    };
  }

  async list(ref: PointRef & { path: string }): Promise<ListResult> {
    const resolved = await this.protection.resolve(ref.item);
    const point = this.pointOf(resolved, ref.point);
    return this.withPoint(resolved, point, async (session) => {
      const volume = await session.choose(ref);
      const entries = await session.list(volume, ref.path);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { volume: volumeView(volume), path: ref.path, entries };
    });
  }

  async get(ref: PointRef & { paths: string[]; to: string }): Promise<GetResult> {
    if (ref.paths.length === 0) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name at least one guest path to get.', { field: 'paths' });
    if (ref.to.trim() === '') throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Choose a target folder (--to DIR).', { field: 'to' });
    const resolved = await this.protection.resolve(ref.item);
    const point = this.pointOf(resolved, ref.point);
    const targetDir = resolve(ref.to);
    const existing = await stat(targetDir).catch(() => null);
    if (existing && !existing.isDirectory()) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${targetDir} is a file: choose a folder (it is created when missing).`, { field: 'to' });
    }
    const names = ref.paths.map((path) => path.split('/').filter((part) => part !== '').pop() ?? 'root');
    if (new Set(names).size !== names.length) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Two of the paths end in the same name (${names.join(', ')}): get them into separate folders.`, { field: 'paths' });
    }
    const taken = await existingTargets(targetDir, ref.paths);
    if (taken.length > 0) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `files get never overwrites, and these exist: ${taken.join(', ')}. Choose another folder.`,
        { field: 'to', details: { existing: taken } });
    }
    return this.withPoint(resolved, point, async (session) => {
      const volume = await session.choose(ref);
      for (const path of ref.paths) await session.stat(volume, path);
      const root = await openTargetRoot(targetDir);
      const extractor = new GuestExtractor(session, volume);
      for (const path of ref.paths) await extractor.extract(path, root);
      return { volume: volumeView(volume), to: root, items: extractor.written };
    });
  }

  async history(ref: VolumeChoice & { item: string; path: string }): Promise<HistoryResult> {
    const resolved = await this.protection.resolve(ref.item);
    const points = listPointRows(resolved.session, resolved.record.id).slice().reverse();
    const versions: HistoryVersion[] = [];
    const skipped: HistoryResult['skipped'] = [];
    let previous: string | undefined;
    for (const point of points) {
      try {
        const version = await this.withPoint(resolved, point, async (session) => {
          const volume = await session.choose(ref);
          const entry = await session.stat(volume, ref.path);
          let sha256: string | undefined;
          if (entry.type === 'file') {
            const hash = createHash('sha256');
            for await (const chunk of session.readFile(volume, ref.path)) hash.update(chunk);
            sha256 = hash.digest('hex');
          }
          return { entry, sha256 };
        });
        const fingerprint = version.sha256 ?? `${version.entry.type}:${version.entry.target ?? ''}`;
        versions.push({
          point: point.id, createdAt: point.createdAt, type: version.entry.type, size: version.entry.size,
          mtimeMs: version.entry.mtimeMs, ...(version.sha256 === undefined ? {} : { sha256: version.sha256 }),
          changed: previous !== undefined && previous !== fingerprint,
        });
        previous = fingerprint;
      } catch (error) {
        if (!isLabvaultError(error)) throw error;
        skipped.push({ point: point.id, createdAt: point.createdAt, reason: error.message, code: error.code });
      }
    }
    return { item: resolved.record.name, path: ref.path, versions, skipped };
  }
}
