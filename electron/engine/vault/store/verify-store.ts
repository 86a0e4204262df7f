/**
 * verifyStore: checks a vault and names what is damaged and which points it affects.
 *  - structure (default): every manifest decodes, every index is present and intact,
 *    every referenced chunk file exists;
 *  - readData: additionally every referenced chunk is read, decrypted, decompressed and
 *    its digest compared with its id.
 */
import { ErrorCodes, LabvaultError } from '../../../../shared/errors.ts';
import { KnownChunkSet } from './known-chunk-set.ts';
import { collectReferences, messageOf } from './point-references.ts';
import type { FileRef, PointReferences } from './point-references.ts';
import type { StoreContext } from './store-context.ts';

export type VerifyProblemKind = 'manifest-damaged' | 'index-missing' | 'index-damaged' | 'chunk-missing' | 'chunk-damaged';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  chunkId?: string;
  indexId?: string;
  /** "itemId/pointId" of the manifest concerned (the first one, for chunks). */
  manifest?: string;
  file?: string;
  message: string;
}

export interface AffectedPoint {
  itemId: string;
  pointId: string;
  files: string[];
}

export interface VerifyReport {
  ok: boolean;
  manifestsChecked: number;
  indexesChecked: number;
  chunksChecked: number;
  problems: VerifyProblem[];
  affectedPoints: AffectedPoint[];
}

export interface VerifyOptions {
  readData?: boolean;
  /** Chunks read at once with readData (default 4). */
  parallel?: number;
  onProgress?: (checked: number, total: number) => void;
}

export async function verifyStore(store: StoreContext, options: VerifyOptions = {}): Promise<VerifyReport> {
  // Which chunks are referenced, without who uses them (work and memory follow the distinct
  // chunks, not points x chunks); the users are collected only when a chunk is damaged.
  const refs = await collectReferences(store, { users: false });
  const problems: VerifyProblem[] = [...refs.problems];
  const affected = new Map<string, AffectedPoint>();
  const touch = (itemId: string, pointId: string, file?: string): void => {
    const key = `${itemId}/${pointId}`;
    let point = affected.get(key);
    if (point === undefined) affected.set(key, point = { itemId, pointId, files: [] });
    if (file !== undefined && !point.files.includes(file)) point.files.push(file);
  };
  for (const problem of refs.problems) {
    const [itemId = '', pointId = ''] = problem.manifest.split('/');
    touch(itemId, pointId, problem.file);
  }
  const stored = new KnownChunkSet();
  for await (const hex of store.chunks.listIds()) stored.add(Buffer.from(hex, 'hex'));
  const entries = [...refs.chunkUsers.keys()];
  const damaged: Array<{ kind: VerifyProblemKind; hex: string; message: string }> = [];
  const chunkProblem = (kind: VerifyProblemKind, hex: string, message: string): void => {
    damaged.push({ kind, hex, message });
  };
  const nameUsers = (users: PointReferences, { kind, hex, message }: (typeof damaged)[number]): void => {
    const files = (users.chunkUsers.get(hex) ?? []).map((n) => users.files[n])
      .filter((f): f is FileRef => f !== undefined);
    const first = files[0];
    problems.push({ kind, chunkId: hex, ...(first === undefined ? {} : { manifest: `${first.itemId}/${first.pointId}`, file: first.path }), message });
    for (const f of files) touch(f.itemId, f.pointId, f.path);
  };
  let checked = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const hex = entries[next]!;
      next += 1;
      if (!stored.has(Buffer.from(hex, 'hex'))) {
        chunkProblem('chunk-missing', hex, `Chunk ${hex} is missing from the vault.`);
      } else if (options.readData === true) {
        try {
          await store.chunks.get(Buffer.from(hex, 'hex'));
        } catch (error) {
          const corrupt = error instanceof LabvaultError && error.code === ErrorCodes.CORRUPT;
          chunkProblem(corrupt ? 'chunk-damaged' : 'chunk-missing', hex, messageOf(error));
        }
      }
      checked += 1;
      if ((checked & 255) === 0) options.onProgress?.(checked, entries.length);
    }
  };
  await Promise.all(Array.from({ length: options.readData === true ? (options.parallel ?? 4) : 1 }, worker));
  options.onProgress?.(checked, entries.length);
  if (damaged.length > 0) {
    const users = await collectReferences(store);
    for (const problem of damaged) nameUsers(users, problem);
  }
  return {
    ok: problems.length === 0,
    manifestsChecked: refs.refs.length,
    indexesChecked: refs.indexIds.size,
    chunksChecked: checked,
    problems,
    affectedPoints: [...affected.values()],
  };
}
