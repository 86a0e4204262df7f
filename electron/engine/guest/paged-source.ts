/**
 * A BlockSource that keeps recently read aligned pages of another (the worker's view of a
 * disk, whose every read is a message to the main thread): metadata reads of a few hundred
 * bytes then cost one message per page, not one each. Large reads pass straight through.
 * The page budget is fixed, so the worker's memory stays bounded.
 */
import { recallRecent, rememberBounded } from '../disk/bounded-cache.ts';
import type { BlockSource } from './guest-filesystem.ts';
import { checkRange } from './point-disk-source.ts';

const PAGE = 64 * 1024;

export class PagedSource implements BlockSource {
  readonly size: number;
  private readonly inner: BlockSource;
  private readonly pages = new Map<number, Buffer>();
  private readonly maxPages: number;
  private readonly name: string;

  constructor(inner: BlockSource, name: string, maxPages = 128) {
    this.inner = inner;
    this.size = inner.size;
    this.name = name;
    this.maxPages = maxPages;
  }

  private async page(index: number): Promise<Buffer> {
    const cached = recallRecent(this.pages, index);
    if (cached) return cached;
    const start = index * PAGE;
    const bytes = await this.inner.read(start, Math.min(PAGE, this.size - start));
    rememberBounded(this.pages, index, bytes, this.maxPages);
    return bytes;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.size, offset, length, this.name);
    if (length >= PAGE) return this.inner.read(offset, length);
    const out = Buffer.alloc(length);
    let position = offset;
    while (position < offset + length) {
      const index = Math.floor(position / PAGE);
      const page = await this.page(index);
      const within = position - index * PAGE;
      const take = Math.min(offset + length - position, page.length - within);
      page.copy(out, position - offset, within, within + take);
      position += take;
    }
    return out;
  }
}
