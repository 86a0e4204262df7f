/**
 * A small least-recently-used cache of qcow2 tables (L2 tables, refcount blocks), keyed
 * by host offset and bounded by bytes, so reading a disk of any size holds a fixed amount
 * of metadata in memory.
 */
import type { ImageFile } from '../image-file.ts';
import { recallRecent, rememberBounded } from '../bounded-cache.ts';

/** Per open image: a chain of n images holds at most n times this. 64 L2 tables of 64 KiB map 32 GiB. */
const DEFAULT_TABLE_CACHE_BYTES = 4 * 1024 * 1024;

export class Qcow2TableCache {
  private readonly tables = new Map<number, Buffer>();
  private readonly file: ImageFile;
  private readonly tableSize: number;
  private readonly capacity: number;
  private readonly label: string;

  constructor(file: ImageFile, tableSize: number, label: string, maxBytes = DEFAULT_TABLE_CACHE_BYTES) {
    this.file = file;
    this.tableSize = tableSize;
    this.label = label;
    this.capacity = Math.max(2, Math.floor(maxBytes / tableSize));
  }

  /** The table at `hostOffset` (read from the file on a miss; truncated -> BAD_IMAGE). */
  async get(hostOffset: number, field: string): Promise<Buffer> {
    const cached = recallRecent(this.tables, hostOffset);
    if (cached) return cached;
    const table = await this.file.readAt(hostOffset, this.tableSize, `${this.label} ${field} at offset ${hostOffset}`);
    rememberBounded(this.tables, hostOffset, table, this.capacity);
    return table;
  }
}
