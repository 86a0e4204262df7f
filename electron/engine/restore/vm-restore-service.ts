/**
 * VmRestoreService: a VM item's point restored as a new VM (restore.vm) and the same
 * request checked without writing anything (restore.vmCheck). The request is checked
 * before the job starts (point of the item, a VM point, name free on the hypervisor, folder
 * new or empty, a format the hypervisor attaches), so a bad request is a typed error of the
 * call; then a 'restore' job writes, verifies and registers the VM (restore-vm-job.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError, type ErrorCode } from '../../../shared/errors.ts';
import type { RestoreVmInput, RestoreVmPlan, RestoreVmProblem } from '../../../shared/contract/restore-vm-channels.ts';
import { readPointRow, type PointRow } from '../backup/point-record.ts';
import { findTool } from '../discovery/hypervisor-cli.ts';
import type { JobService, RunningJob } from '../jobs/job-service.ts';
import type { ProtectionService } from '../protection/protection-service.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import type { VaultSession } from '../vault/vault-session.ts';
import { RESTORE } from './restore-disks.ts';
import { runRestoreVm, VERIFY } from './restore-vm-job.ts';
import { defaultLibvirtConnection, registerToolName, takenVmNames, type WellKnownVms } from './vm-name-check.ts';
import { planRestoreVm, type FolderState } from './vm-restore-plan.ts';

export interface RestoreVmCheck { ok: boolean; problems: RestoreVmProblem[]; plan: RestoreVmPlan | null }

export type RestoreVmCheckInput = Omit<RestoreVmInput, 'to' | 'name'> & { to?: string | undefined; name?: string | undefined };

export interface VmRestoreDependencies {
  protection: Pick<ProtectionService, 'resolve'>;
  keyring: Pick<VaultKeyring, 'store'>;
  jobs: Pick<JobService, 'create' | 'start'>;
  /** The VMs in the well-known places of this machine (discovery), for the name check. */
  wellKnownVms: WellKnownVms;
  /** Where hypervisor tools are looked for and run. */
  env: NodeJS.ProcessEnv;
}

interface Checked {
  session: VaultSession;
  itemId: string;
  itemName: string;
  point: PointRow | null;
  plan: RestoreVmPlan | null;
  problems: RestoreVmProblem[];
}

async function folderState(path: string): Promise<FolderState> {
  const info = await stat(path).catch(() => null);
  if (!info) return 'missing';
  if (!info.isDirectory()) return 'file';
  return (await readdir(path)).length === 0 ? 'empty' : 'not-empty';
}

export class VmRestoreService {
  private readonly deps: VmRestoreDependencies;

  constructor(deps: VmRestoreDependencies) {
    this.deps = deps;
  }

  private async checked(input: RestoreVmCheckInput): Promise<Checked> {
    const { session, record } = await this.deps.protection.resolve(input.item);
    const point = readPointRow(session, input.point);
    const base = { session, itemId: record.id, itemName: record.name };
    if (!point || point.itemId !== record.id) {
      return { ...base, point: null, plan: null, problems: [{ field: 'point', code: ErrorCodes.NOT_FOUND,
        message: `Item "${record.name}" has no recovery point ${input.point}. "labvault points list ${record.name}" shows them.` }] };
    }
    const hypervisor = input.hypervisor ?? (point.vm?.hypervisor === 'files' ? undefined : point.vm?.hypervisor);
    const connection = input.connection ?? defaultLibvirtConnection();
    const toolName = hypervisor ? registerToolName(hypervisor) : null;
    const facts = {
      folderState: input.to !== undefined ? await folderState(resolve(input.to)) : 'missing' as FolderState,
      takenNames: hypervisor && input.name !== undefined
        ? await takenVmNames(hypervisor, this.deps.wellKnownVms, this.deps.env, connection) : [],
      registerTool: toolName ? await findTool(toolName, this.deps.env) : null,
      connection,
      pointFiles: point.files.map((file) => ({ name: file.name, role: file.role })),
    };
    const { plan, problems } = planRestoreVm(input, point.vm, facts);
    return { ...base, point, plan, problems };
  }

  /** The problems per field and the plan; writes nothing. */
  async check(input: RestoreVmCheckInput): Promise<RestoreVmCheck> {
    const { plan, problems } = await this.checked(input);
    return { ok: problems.length === 0 && plan !== null, problems, plan };
  }

  async start(input: RestoreVmInput): Promise<{ running: RunningJob; plan: RestoreVmPlan }> {
    const checked = await this.checked(input);
    const first = checked.problems[0];
    if (first) {
      throw new LabvaultError(first.code as ErrorCode, first.message,
        { field: first.field, details: { problems: checked.problems } });
    }
    const { session, point, plan } = checked;
    if (!point || !plan) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Name the new VM and its folder.', { field: 'name' });
    const store = await this.deps.keyring.store(session);
    const manifest = await store.readManifest(checked.itemId, point.id);
    const job = this.deps.jobs.create(session, {
      operation: 'restore', itemId: checked.itemId, item: checked.itemName, trigger: 'on-demand', subtasks: [RESTORE, VERIFY],
    });
    job.pointId = point.id;
    const running = await this.deps.jobs.start(session, job, async (context) => {
      await runRestoreVm(context, { store, manifest, point, plan, env: this.deps.env, register: plan.registers });
    });
    return { running, plan };
  }
}
