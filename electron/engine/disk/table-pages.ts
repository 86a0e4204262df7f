/**
 * A large on-disk table (VHD BAT, VHDX BAT) read lazily in fixed-size pages, with a small
 * cache of recently used pages, so memory stays bounded whatever the table claims.
 * The caller checks that the table lies inside the file before constructing one.
 */
import { recallRecent, rememberBounded } from './bounded-cache.ts';

/** What table readers need of a file: ImageFile, or ImageFile seen through a log overlay. */
export interface PositionedReader {
  readonly path: string;
  readonly size: number;
  readAt(position: number, length: number, field: string): Promise<Buffer>;
  readInto(buffer: Buffer, bufferOffset: number, length: number, position: number, field: string): Promise<void>;
}

/** Bytes per cached page of a table. */
const TABLE_PAGE_BYTES = 64 * 1024;
/** Pages kept in memory (4 MiB at most). */
const TABLE_CACHED_PAGES = 64;

export class TablePages {
  readonly entryCount: number;
  readonly entrySize: number;
  private readonly file: PositionedReader;
  private readonly tableOffset: number;
  private readonly field: string;
  private readonly entriesPerPage: number;
  private readonly pages = new Map<number, Buffer>();

  constructor(file: PositionedReader, tableOffset: number, entryCount: number, entrySize: number, field: string) {
    this.file = file;
    this.tableOffset = tableOffset;
    this.entryCount = entryCount;
    this.entrySize = entrySize;
    this.field = field;
    this.entriesPerPage = TABLE_PAGE_BYTES / entrySize;
  }

  /**
   * Returns the page buffer and the byte offset of entry `index` inside it. Reading a page
   * past the end of the file throws the file's "truncated" error naming the table.
   */
  async locate(index: number): Promise<{ page: Buffer; at: number }> {
    const pageIndex = Math.floor(index / this.entriesPerPage);
    let page = recallRecent(this.pages, pageIndex);
    if (page === undefined) {
      const first = pageIndex * this.entriesPerPage;
      const count = Math.min(this.entriesPerPage, this.entryCount - first);
      page = await this.file.readAt(this.tableOffset + first * this.entrySize, count * this.entrySize, this.field);
      rememberBounded(this.pages, pageIndex, page, TABLE_CACHED_PAGES);
    }
    return { page, at: (index - pageIndex * this.entriesPerPage) * this.entrySize };
  }
}
