/** The findings of a guest filesystem's metadata check: at most 20 listed per kind, the rest counted. */
import type { GuestCheckFinding } from './guest-filesystem.ts';

const MAX_PER_KIND = 20;

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class CheckFindings {
  private readonly list: GuestCheckFinding[] = [];
  private readonly counts = new Map<string, number>();

  add(severity: GuestCheckFinding['severity'], kind: string, message: string): void {
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);
    if (count <= MAX_PER_KIND) this.list.push({ severity, kind, message });
  }

  /** The listed findings, then one warning per kind with how many more were not listed. */
  finish(): GuestCheckFinding[] {
    for (const [kind, count] of this.counts) {
      if (count > MAX_PER_KIND) this.list.push({ severity: 'warning', kind, message: `${count - MAX_PER_KIND} more ${kind} findings not listed.` });
    }
    return this.list;
  }
}
