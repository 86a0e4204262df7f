/**
 * Machine-local trust, kept in <app home>/machine-trust.json and never in a vault: a vault
 * folder is input anyone may have written. Per vault id it holds
 * - the file list this machine confirmed for each item (what VM files the item may read
 *   here): an item whose record names files beyond them is not backed up until confirmed
 *   again; for a VM item, the VM's configuration path (the files derived from that local
 *   config at backup time are what the item reads);
 * - each item's pre- and post-backup scripts: they run only from here, never from a vault;
 * - the strongest immutability this machine has seen (locked > enabled > disabled) and the
 *   longest soft delete retention seen with it, so an edited vault.json cannot weaken them.
 * Written atomically (folder 0700, file 0600); a damaged file is CORRUPT, never ignored.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from '../../../shared/zod-jitless.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { IMMUTABILITY_STATES, type ImmutabilityState } from '../../../shared/vault-rules.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';

export const MACHINE_TRUST_FILE = 'machine-trust.json';
/** The trust file is small; anything larger is not one this app wrote. */
const MACHINE_TRUST_MAX_BYTES = 16 * 1024 * 1024;

const ImmutabilityMemorySchema = z.object({
  state: z.enum(IMMUTABILITY_STATES),
  softDeleteDays: z.number().int().min(0).max(100_000).optional(),
  seenAt: z.string(),
});
export type ImmutabilityMemory = z.infer<typeof ImmutabilityMemorySchema>;

/** Pre/post-backup scripts of an item: machine-local, so a vault naming a script never runs it. */
const ItemScriptsSchema = z.object({
  pre: z.string().min(1).max(4096).optional(),
  post: z.string().min(1).max(4096).optional(),
  timeoutSec: z.number().int().min(1).max(86_400),
});
export type ItemScripts = z.infer<typeof ItemScriptsSchema>;

const ConfirmedItemSchema = z.object({
  files: z.array(z.string()),
  confirmedAt: z.string(),
  /** VM items: the configuration path this machine confirmed. */
  vmConfig: z.string().optional(),
  scripts: ItemScriptsSchema.optional(),
});
export type ConfirmedItem = z.infer<typeof ConfirmedItemSchema>;

const VaultTrustSchema = z.object({
  immutability: ImmutabilityMemorySchema.optional(),
  items: z.record(z.string(), ConfirmedItemSchema),
});
export type VaultTrust = z.infer<typeof VaultTrustSchema>;

const TrustFileSchema = z.object({ version: z.literal(1), vaults: z.record(z.string(), VaultTrustSchema) });
type TrustFile = z.infer<typeof TrustFileSchema>;

const RANK: Record<ImmutabilityState, number> = { disabled: 0, enabled: 1, locked: 2 };

export function strongerImmutability(a: ImmutabilityState, b: ImmutabilityState): ImmutabilityState {
  return RANK[b] > RANK[a] ? b : a;
}

/** The set of paths an item's files name, sorted: what a confirmation is about. */
export function confirmedPathsOf(files: { path: string }[]): string[] {
  return [...new Set(files.map((file) => file.path))].sort();
}

/** What confirming an item is about: its files, or for a VM item its configuration path. */
export interface ConfirmationSubject {
  files: { path: string }[];
  vmConfig?: string;
}

/**
 * Why an item is not confirmed on this machine, or null when it is. Files the record no
 * longer names need nothing (the item reads less); only files beyond the confirmed ones do.
 */
export function confirmationProblem(entry: ConfirmedItem | undefined, subject: ConfirmationSubject): string | null {
  if (!entry) {
    return 'its files were never confirmed on this machine (the item came with a vault opened, moved or rebuilt here)';
  }
  if (subject.vmConfig !== undefined) {
    if (entry.vmConfig === subject.vmConfig) return null;
    return entry.vmConfig === undefined
      ? `it now follows the VM configuration ${subject.vmConfig}, which this machine never confirmed`
      : `it now follows the VM configuration ${subject.vmConfig}; this machine confirmed ${entry.vmConfig}`;
  }
  const before = new Set(entry.files);
  const added = confirmedPathsOf(subject.files).filter((path) => !before.has(path));
  if (added.length === 0) return null;
  return `its record's file list differs from the one confirmed on this machine: it names files never confirmed `
    + `here (${added.join(', ')})`;
}

export class MachineTrust {
  readonly file: string;
  private readonly home: string;
  /** Serializes read-modify-write within this process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(appHome: string) {
    this.home = appHome;
    this.file = join(appHome, MACHINE_TRUST_FILE);
  }

  async vault(vaultId: string): Promise<VaultTrust | undefined> {
    return (await this.read()).vaults[vaultId];
  }

  /** Records the files (or VM config) this machine lets the item read (protect, `item confirm`); scripts are kept. */
  confirmItem(vaultId: string, itemId: string, subject: ConfirmationSubject, at: Date): Promise<ConfirmedItem> {
    return this.change((trust) => {
      const items = vaultEntry(trust, vaultId).items;
      const scripts = items[itemId]?.scripts;
      const entry: ConfirmedItem = {
        files: confirmedPathsOf(subject.files), confirmedAt: at.toISOString(),
        ...(subject.vmConfig !== undefined ? { vmConfig: subject.vmConfig } : {}),
        ...(scripts ? { scripts } : {}),
      };
      items[itemId] = entry;
      return entry;
    });
  }

  /** Sets (or with null clears) an item's scripts; the item must be confirmed here first. */
  setItemScripts(vaultId: string, itemId: string, scripts: ItemScripts | null): Promise<ConfirmedItem | undefined> {
    return this.change((trust) => {
      const entry = trust.vaults[vaultId]?.items[itemId];
      if (!entry) return undefined;
      if (scripts) entry.scripts = scripts;
      else delete entry.scripts;
      return entry;
    });
  }

  /** Drops every item confirmation of a vault (it arrived from elsewhere or moved); immutability is kept. */
  forgetItems(vaultId: string): Promise<void> {
    return this.change((trust) => {
      const entry = trust.vaults[vaultId];
      if (entry) entry.items = {};
    });
  }

  /**
   * Remembers the vault's immutability: the stronger of what was remembered and `state`
   * (with `allowWeaker`, the app's own settings change, only 'enabled' may go down).
   */
  rememberImmutability(vaultId: string, state: ImmutabilityState, softDeleteDays: number, at: Date,
    options: { allowWeaker?: boolean } = {}): Promise<ImmutabilityMemory | undefined> {
    return this.change((trust) => {
      const previous = trust.vaults[vaultId]?.immutability;
      if (!previous && state === 'disabled') return undefined;
      const remembered = previous?.state ?? 'disabled';
      const weaken = options.allowWeaker === true && remembered !== 'locked';
      const next = weaken ? state : strongerImmutability(remembered, state);
      const longest = weaken ? softDeleteDays : Math.max(previous?.softDeleteDays ?? 0, softDeleteDays);
      const days = next === 'disabled' ? undefined : longest;
      if (previous && previous.state === next && previous.softDeleteDays === days) return previous;
      const memory: ImmutabilityMemory = {
        state: next, ...(days !== undefined ? { softDeleteDays: days } : {}), seenAt: at.toISOString(),
      };
      vaultEntry(trust, vaultId).immutability = memory;
      return memory;
    });
  }

  /** Read-modify-write, one at a time in this process; nothing is written when nothing changed. */
  private change<T>(mutate: (trust: TrustFile) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const trust = await this.read();
      const snapshot = JSON.stringify(trust);
      const result = mutate(trust);
      if (JSON.stringify(trust) === snapshot) return result;
      await mkdir(this.home, { recursive: true, mode: 0o700 });
      await writeJsonAtomic(this.file, trust, { mode: 0o600 });
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<TrustFile> {
    let text: string;
    try {
      const { size } = await stat(this.file);
      text = size <= MACHINE_TRUST_MAX_BYTES ? await readFile(this.file, 'utf8') : '';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, vaults: {} };
      throw new LabvaultError(ErrorCodes.IO_ERROR,
        `Could not read ${this.file} (this machine's trust file): ${messageOf(error)}`,
        { details: { path: this.file }, cause: error });
    }
    const parsed = TrustFileSchema.safeParse(safeJson(text));
    if (!parsed.success) {
      throw new LabvaultError(ErrorCodes.CORRUPT,
        `${this.file} is damaged (it records which files each item may read on this machine and the immutability seen). `
        + 'Restore it from a backup of this folder; or move it aside, then confirm each item again with '
        + '"labvault item confirm ITEM" (vaults keep their data).', { details: { path: this.file } });
    }
    return parsed.data;
  }
}

function vaultEntry(trust: TrustFile, vaultId: string): VaultTrust {
  const existing = trust.vaults[vaultId];
  if (existing) return existing;
  const created: VaultTrust = { items: {} };
  trust.vaults[vaultId] = created;
  return created;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
