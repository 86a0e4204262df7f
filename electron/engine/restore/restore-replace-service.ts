/**
 * ReplaceRestoreService: "replace existing" (restore.replace, restore.replaceStatus).
 *
 * start({ item, point, confirm }): refused before any job when `confirm` is not the item's
 * name (INVALID_INPUT), the point is not the item's, the VM is not off (CONFLICT; its state
 * read as discovery reads it), an unfinished replace of the item exists (CONFLICT, saying
 * how to resume or roll back), or the point has files the item no longer has. Then a
 * 'restore' job (subtasks Restore, Verify): the current state is backed up first as a
 * point of its own (an on-demand backup job of the backup service), the journal is
 * created in the app home, and restore-replace.ts does the rest.
 *
 * resume / rollback act on the journal an interrupted replace left, each as a job.
 * Files are mapped from the point to the originals by the item's own files on this machine
 * (the names a backup gives them, pointFileNames), never by a path read from the vault.
 */
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { readPointRow } from '../backup/point-record.ts';
import type { BackupService } from '../backup/backup-service.ts';
import { pointFileNames } from '../backup/snapshot-phase.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import type { JobService, RunningJob } from '../jobs/job-service.ts';
import { assertItemConfirmed } from '../protection/item-confirmation.ts';
import type { ItemRecord } from '../protection/item-record.ts';
import type { ProtectionService } from '../protection/protection-service.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import type { Manifest } from '../vault/store/index.ts';
import { RESTORE, manifestPathOf } from './restore-disks.ts';
import { checkManifestFiles } from './restore-target.ts';
import { createReplaceJournal, readReplaceJournal, type ReplaceJournal, type ReplaceJournalFile } from './replace-journal.ts';
import { rollbackReplace, runReplace, VERIFY } from './restore-replace.ts';

export interface ReplaceInput {
  item: string;
  point?: string | undefined;
  confirm: string;
  /** replace (default): start one; resume / rollback: finish or undo an interrupted one. */
  action?: 'replace' | 'resume' | 'rollback' | undefined;
}

export interface ReplaceStatus {
  item: string;
  pending: null | {
    pointId: string;
    prePointId: string;
    phase: ReplaceJournal['phase'];
    startedAt: string;
    files: { target: string; state: ReplaceJournalFile['state'] }[];
    /** What to run to finish or undo it. */
    howTo: string;
  };
}

export interface ReplaceServices {
  appHome: string;
  protection: Pick<ProtectionService, 'resolve' | 'trust'>;
  keyring: Pick<VaultKeyring, 'store'>;
  jobs: Pick<JobService, 'create' | 'start'>;
  backups: Pick<BackupService, 'start'>;
  readVm: (configPath: string) => Promise<DiscoveredVm>;
}

/** VM states in which no process holds the VM's files. */
const OFF_STATES = new Set(['poweroff', 'aborted']);

function howToFinish(name: string, journal: ReplaceJournal): string {
  return `Run "labvault restore replace ${name} --resume --confirm ${name}" to finish putting point ${journal.pointId} in place, `
    + `or "labvault restore replace ${name} --rollback --confirm ${name}" to put the files back as they were (point ${journal.prePointId} holds that state too).`;
}

export class ReplaceRestoreService {
  private readonly services: ReplaceServices;

  constructor(services: ReplaceServices) {
    this.services = services;
  }

  async status(itemRef: string): Promise<ReplaceStatus> {
    const { record } = await this.services.protection.resolve(itemRef);
    const journal = await readReplaceJournal(this.services.appHome, record.id);
    if (!journal) return { item: record.name, pending: null };
    return {
      item: record.name,
      pending: {
        pointId: journal.pointId, prePointId: journal.prePointId, phase: journal.phase, startedAt: journal.startedAt,
        files: journal.files.map((file) => ({ target: file.target, state: file.state })),
        howTo: howToFinish(record.name, journal),
      },
    };
  }

  async start(input: ReplaceInput): Promise<RunningJob> {
    const { session, record } = await this.services.protection.resolve(input.item);
    if (input.confirm !== record.name) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Replacing overwrites the files of "${record.name}": type its name exactly to confirm (--confirm ${record.name}).`, { field: 'confirm' });
    }
    await assertItemConfirmed(this.services.protection.trust, session, record);
    const action = input.action ?? 'replace';
    const journal = await readReplaceJournal(this.services.appHome, record.id);
    if (action !== 'replace') return this.finish(session, record, journal, action);
    if (journal) {
      throw new LabvaultError(ErrorCodes.CONFLICT, `A replace of "${record.name}" (point ${journal.pointId}, started ${journal.startedAt}) was interrupted. ${howToFinish(record.name, journal)}`, { field: 'item', details: { journal: journal.phase } });
    }
    if (input.point === undefined || input.point === '') throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name the point to put in place: --point ID ("labvault points list ITEM" shows them).', { field: 'point' });
    const point = readPointRow(session, input.point);
    if (!point || point.itemId !== record.id) {
      throw new LabvaultError(ErrorCodes.NOT_FOUND, `Item "${record.name}" has no recovery point ${input.point}. "labvault points list ${record.name}" shows them.`, { field: 'point' });
    }
    const store = await this.services.keyring.store(session);
    const manifest = await store.readManifest(record.id, point.id);
    checkManifestFiles(manifest.files, manifestPathOf(store, manifest));
    targetsOf(record, manifest);
    await this.assertVmOff(record);
    const job = this.services.jobs.create(session, {
      operation: 'restore', itemId: record.id, item: record.name, trigger: 'on-demand', subtasks: [RESTORE, VERIFY],
    });
    job.pointId = point.id;
    return this.services.jobs.start(session, job, async (context) => {
      // 1. The current state, as a point of its own (the backup service's own job).
      const backup = await this.services.backups.start(record.id, { trigger: 'on-demand' });
      const backedUp = await backup.done;
      if (backedUp.status !== 'completed' || !backedUp.pointId) {
        throw new LabvaultError(ErrorCodes.CONFLICT, `The backup of the current state (job ${backedUp.id}) ended ${backedUp.status}`
          + `${backedUp.error ? `: ${backedUp.error.message}` : ''}. Nothing was replaced.`, { details: { backupJob: backedUp.id } });
      }
      context.setJob((current) => {
        const restore = current.subtasks.find((subtask) => subtask.name === RESTORE);
        if (restore) restore.message = `The state before the replace was backed up as point ${backedUp.pointId} (job ${backedUp.id}).`;
      });
      const { record: current } = await this.services.protection.resolve(record.id);
      const before = await store.readManifest(record.id, backedUp.pointId);
      const created: ReplaceJournal = {
        version: 1, itemId: record.id, itemName: record.name, vaultId: session.config.id, pointId: point.id,
        prePointId: backedUp.pointId, jobId: context.job.id, startedAt: new Date().toISOString(), phase: 'staging',
        files: journalFiles(current, manifest, before, context.job.id),
      };
      await createReplaceJournal(this.services.appHome, created);
      await runReplace(context, {
        appHome: this.services.appHome, store, manifest, journal: created, assertVmOff: () => this.assertVmOff(current),
      });
    });
  }

  private async finish(session: VaultSession, record: ItemRecord, journal: ReplaceJournal | null, action: 'resume' | 'rollback'): Promise<RunningJob> {
    if (!journal) {
      throw new LabvaultError(ErrorCodes.NOT_FOUND, `No interrupted replace of "${record.name}" to ${action}: its files are as the last replace (or none) left them.`, { field: action });
    }
    if (action === 'resume' && journal.phase === 'staging') await this.assertVmOff(record);
    const store = await this.services.keyring.store(session);
    const manifest = action === 'resume' ? await store.readManifest(record.id, journal.pointId) : null;
    const job = this.services.jobs.create(session, {
      operation: 'restore', itemId: record.id, item: record.name, trigger: 'on-demand', subtasks: [RESTORE, VERIFY],
    });
    job.pointId = journal.pointId;
    return this.services.jobs.start(session, job, async (context) => {
      if (action === 'rollback') {
        await rollbackReplace(context, this.services.appHome, journal);
        return;
      }
      await runReplace(context, {
        appHome: this.services.appHome, store, manifest: manifest!, journal,
        assertVmOff: () => this.assertVmOff(record),
      });
    });
  }

  /** Refuses unless the item's VM is off, its state read as discovery reads it (plain file items have none). */
  private async assertVmOff(record: ItemRecord): Promise<void> {
    const source = record.source;
    if (!source || source.hypervisor === 'files') return;
    const vm = await this.services.readVm(source.configPath);
    if (!OFF_STATES.has(vm.state)) {
      const why = vm.state === 'running' ? 'is running' : vm.state === 'saved' ? 'has a saved state (suspended): its memory refers to the current disks'
        : 'is in a state Labvault cannot tell (no hypervisor tool answered)';
      throw new LabvaultError(ErrorCodes.CONFLICT, `VM "${vm.name}" ${why}. Replace only works on a VM that is shut down: shut it down (or discard its saved state) and try again.`, {
        field: 'item', details: { state: vm.state, stateEvidence: vm.stateEvidence },
      });
    }
  }
}

/**
 * The original path of each point file, from the item's files on this machine; refuses
 * points with files the item no longer has.
 */
function targetsOf(record: ItemRecord, manifest: Manifest): Map<string, string> {
  const names = pointFileNames(record.files);
  const byName = new Map(names.map((name, i) => [name, record.files[i]!.path]));
  const missing = manifest.files.filter((file) => !byName.has(file.path)).map((file) => file.path);
  if (missing.length > 0) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `Point ${manifest.pointId} has files the item no longer has (${missing.join(', ')}): `
      + 'replacing would leave them nowhere the VM looks. Restore it as a new VM or restore its disks to a folder instead.', { field: 'point', details: { missing } });
  }
  return byName;
}

function journalFiles(record: ItemRecord, manifest: Manifest, before: Manifest, jobId: string): ReplaceJournalFile[] {
  const targets = targetsOf(record, manifest);
  const tag = jobId.replace(/[^A-Za-z0-9]/g, '').slice(0, 8);
  return manifest.files.map((file) => {
    const target = targets.get(file.path)!;
    const current = before.files.find((candidate) => candidate.path === file.path);
    const same = current !== undefined && current.digest === file.digest && current.size === file.size;
    const stem = join(dirname(target), `.${basename(target)}`);
    return {
      name: file.path, target, temp: `${stem}.labvault-new-${tag}`, old: `${stem}.labvault-old-${tag}`,
      state: same ? 'skipped' : 'pending',
    };
  });
}
