/**
 * Protected items: inspect candidate files, protect a VM's files in a vault, find items
 * by name across vaults. Stop/resume/undelete live in item-lifecycle.ts.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import type { Clock } from '../app/clock.ts';
import type { VaultDirectory } from '../vault/vault-directory.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { findPolicyRecord, ensureDefaultPolicy } from '../policy/policy-records.ts';
import { inspectFiles, type PathOwner } from './file-inspection.ts';
import { itemOwningPath, listItemRecords, upsertItemRow } from './item-catalog.ts';
import { assertItemName, itemNameProblem, type ItemFileRecord, type ItemRecord } from './item-record.ts';
import { confirmationSubjectOf } from './confirmation-subject.ts';
import { resolveProtectPaths } from './protect-paths.ts';
import { assertVmComplete, vmItemFiles, vmSourceOf, type VmDiscovery } from './vm-source.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';

export interface ResolvedItem {
  session: VaultSession;
  record: ItemRecord;
}

export interface ProtectInput {
  vault: string;
  /** Required for files; a VM item defaults to the VM's name. */
  name?: string | undefined;
  files?: string[] | undefined;
  vm?: { configPath: string } | undefined;
  policy?: string | undefined;
}

/** The files an item will have, with what the user should know about how they were found. */
interface ChosenFiles {
  files: ItemFileRecord[];
  vm: DiscoveredVm | null;
  notes: string[];
}

export class ProtectionService {
  private readonly vaults: VaultDirectory;
  private readonly clock: Clock;

  /** Discovery: how a VM is read from its configuration. */
  readonly vms: VmDiscovery;

  constructor(vaults: VaultDirectory, clock: Clock, vms: VmDiscovery) {
    this.vaults = vaults;
    this.clock = clock;
    this.vms = vms;
  }

  /** What this machine trusts (confirmed item files). */
  get trust(): VaultDirectory['trust'] {
    return this.vaults.trust;
  }

  /** The app home (this machine's state: trust, known vaults, replace journals). */
  get appHome(): string {
    return this.vaults.appHome;
  }

  /** Every reachable vault's session (vaults that cannot be opened right now are skipped). */
  async sessions(): Promise<VaultSession[]> {
    return (await this.reachableSessions()).sessions;
  }

  /** Sessions, plus why each unreachable vault could not be opened. */
  private async reachableSessions(): Promise<{
    sessions: VaultSession[]; unreachable: { name: string; error: unknown }[];
  }> {
    const sessions: VaultSession[] = [];
    const unreachable: { name: string; error: unknown }[] = [];
    for (const entry of await this.vaults.known.list()) {
      try {
        sessions.push(await this.vaults.session(entry.id));
      } catch (error) {
        // A wrong passphrase must be said; a missing vault is shown as such by `vault list`.
        if (error instanceof LabvaultError && error.code === ErrorCodes.BAD_PASSPHRASE) throw error;
        unreachable.push({ name: entry.name, error });
      }
    }
    return { sessions, unreachable };
  }

  /** The item protecting `path` in any reachable vault (other than `exceptItemId`), or null. */
  async ownerOf(path: string, exceptItemId?: string): Promise<PathOwner | null> {
    for (const session of await this.sessions()) {
      const owner = itemOwningPath(session, path);
      if (owner && owner.id !== exceptItemId) {
        return {
          vaultName: session.config.name, itemName: owner.name, state: owner.state,
          ...(owner.purgeAt ? { purgeAt: owner.purgeAt } : {}),
        };
      }
    }
    return null;
  }

  inspect(paths: string[], exceptItemId?: string): Promise<FileCandidate[]> {
    return inspectFiles(paths, (path) => this.ownerOf(path, exceptItemId));
  }

  /** Refuses (INVALID_INPUT, field 'files') candidates that cannot be protected. */
  private async checkedCandidates(paths: string[], exceptItemId?: string): Promise<FileCandidate[]> {
    const candidates = await this.inspect(paths, exceptItemId);
    const refused = candidates.filter((candidate) => !candidate.ok);
    if (refused.length > 0) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Cannot protect: ${refused.map((candidate) => `${candidate.path} ${candidate.problem ?? 'is not usable'}`).join('; ')}.`, { field: 'files', details: { refused } });
    }
    return candidates;
  }

  /** The files of the VM configured at `configPath` now, each checked like a picked file. */
  async vmFiles(configPath: string, exceptItemId?: string): Promise<ChosenFiles> {
    const vm = await this.vms.readVm(resolve(configPath));
    assertVmComplete(vm);
    const files = vmItemFiles(vm);
    await this.checkedCandidates(files.map((file) => file.path), exceptItemId);
    return { files, vm, notes: [] };
  }

  /** What the user chose: a VM by its config, or files (a config or VM folder among them resolves to the VM). */
  async chooseFiles(input: Pick<ProtectInput, 'files' | 'vm'>, exceptItemId?: string): Promise<ChosenFiles> {
    if ((input.vm === undefined) === (input.files === undefined || input.files.length === 0)) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name either the VM\'s configuration (--vm CONFIG_PATH) or its files, not both.', { field: 'files' });
    }
    if (input.vm) return this.vmFiles(input.vm.configPath, exceptItemId);
    const resolved = await resolveProtectPaths(input.files ?? [], this.vms);
    if (resolved.kind === 'vm') return { ...(await this.vmFiles(resolved.configPath, exceptItemId)), notes: resolved.notes };
    const candidates = await this.checkedCandidates(resolved.paths, exceptItemId);
    const files = candidates.map((candidate) => ({
      path: candidate.path,
      role: candidate.role,
      ...(candidate.diskFormat ? { diskFormat: candidate.diskFormat } : {}),
      ...(candidate.addedAsParentOf ? { parentOf: candidate.addedAsParentOf } : {}),
    }));
    return { files, vm: null, notes: resolved.notes };
  }

  async protect(input: ProtectInput): Promise<ResolvedItem & { notes: string[] }> {
    if (input.name !== undefined) assertItemName(input.name);
    const session = await this.vaults.session(input.vault);
    const chosen = await this.chooseFiles(input);
    const name = input.name ?? chosen.vm?.name;
    if (name === undefined) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name the item (--name NAME).', { field: 'name' });
    if (input.name === undefined && itemNameProblem(name) !== null) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `The VM's name "${name}" cannot name an item (${itemNameProblem(name) ?? ''}): give one with --name.`, { field: 'name' });
    }
    if (listItemRecords(session).some((item) => item.name.toLowerCase() === name.toLowerCase())) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `Vault "${session.config.name}" already has an item named "${name}".`, { field: 'name' });
    }
    const policy = input.policy
      ? findPolicyRecord(session, input.policy)
      : await ensureDefaultPolicy(session, this.clock.now());
    const now = this.clock.now().toISOString();
    const record: ItemRecord = {
      id: randomUUID(),
      name,
      vaultId: session.config.id,
      createdAt: now,
      updatedAt: now,
      state: 'protected',
      policyId: policy.id,
      files: chosen.files,
      ...(chosen.vm ? { source: vmSourceOf(chosen.vm) } : {}),
    };
    await this.saveItem(session, record);
    // Created here from files (or a VM config) the user chose: confirmed on this machine at once.
    await this.vaults.trust.confirmItem(session.config.id, record.id, confirmationSubjectOf(record), this.clock.now());
    return { session, record, notes: chosen.notes };
  }

  async saveItem(session: VaultSession, record: ItemRecord): Promise<void> {
    await session.records.write('items', record.id, record);
    upsertItemRow(session, record);
  }

  /**
   * Finds an item by id, by name, or as "VAULT/NAME". A name used in two vaults must be
   * qualified with its vault.
   */
  async resolve(ref: string): Promise<ResolvedItem> {
    const slash = ref.indexOf('/');
    const { sessions, unreachable } = slash > 0
      ? { sessions: [await this.vaults.session(ref.slice(0, slash))], unreachable: [] }
      : await this.reachableSessions();
    const name = slash > 0 ? ref.slice(slash + 1) : ref;
    const matches: ResolvedItem[] = [];
    for (const session of sessions) {
      for (const record of listItemRecords(session)) {
        if (record.id === name || record.name.toLowerCase() === name.toLowerCase()) matches.push({ session, record });
      }
    }
    const blocked = unreachable[0];
    if (matches.length === 0 && blocked) {
      // The item may well be in a vault that cannot be opened: say why, not "no such item".
      const reason = blocked.error instanceof Error ? blocked.error.message : String(blocked.error);
      const code = blocked.error instanceof LabvaultError ? blocked.error.code : ErrorCodes.IO_ERROR;
      throw new LabvaultError(code, `No protected item named "${ref}" in the vaults that open; vault "${blocked.name}" cannot be opened: ${reason}`, {
        field: 'item', ...(blocked.error instanceof LabvaultError && blocked.error.details ? { details: blocked.error.details } : {}), cause: blocked.error,
      });
    }
    if (matches.length === 0) throw new LabvaultError(ErrorCodes.NOT_FOUND, `No protected item named "${ref}". "labvault items list" shows them.`, { field: 'item' });
    if (matches.length > 1) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `"${ref}" names items in several vaults (${matches.map((match) => match.session.config.name).join(', ')}): write it as VAULT/${name}.`, { field: 'item' });
    }
    return matches[0] as ResolvedItem;
  }

  async list(vault?: string): Promise<ResolvedItem[]> {
    const sessions = vault ? [await this.vaults.session(vault)] : await this.sessions();
    return sessions.flatMap((session) => listItemRecords(session).map((record) => ({ session, record })));
  }
}

export function normalisePaths(paths: string[]): string[] {
  return paths.map((path) => resolve(path));
}
