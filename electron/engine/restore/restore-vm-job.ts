/**
 * The job of a restore as a new VM (restore.vm), in two subtasks:
 * - Restore: the point's files restored (each checked against its digests) into a private
 *   staging folder inside the new VM's folder, laid out as the VM had them
 *   (staged-point.ts); discovery reads the staged configuration; each disk's chain is
 *   merged into one new image in the chosen format (staged-disk-chain.ts); NVRAM and the
 *   saved state copied when kept; the configuration rewritten from the point's own (same
 *   hypervisor) or generated from the hardware summary (another hypervisor).
 * - Verify: each new image compared with the point's chain byte for byte, checked by
 *   `qemu-img check` (and our own check), the configuration read back by discovery (new
 *   identity, exactly the restored disks), a domain XML validated; then the VM registered
 *   with the hypervisor's CLI when the plan says so.
 * Nothing existing is ever written over: the folder is new or empty and every file is
 * created exclusively. A failed or cancelled restore removes what it wrote (and the folder
 * when it made it); the staging folder always goes.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { PointVm } from '../../../shared/contract/item-models.ts';
import type { RestoreVmPlan } from '../../../shared/contract/restore-vm-channels.ts';
import type { PointRow } from '../backup/point-record.ts';
import { parseBoundedXml } from '../discovery/bounded-xml.ts';
import { readConfigText } from '../discovery/config-file.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import { underRoot } from '../discovery/discovery-paths.ts';
import { readVm } from '../discovery/discovery-service.ts';
import type { JobContext } from '../jobs/job-service.ts';
import type { Manifest, VaultStore } from '../vault/store/index.ts';
import { assertRestoredDiskMatches } from './restored-disk-match.ts';
import { generateDomain } from './libvirt-config-generate.ts';
import { rewriteDomain } from './libvirt-config-rewrite.ts';
import { RESTORE } from './restore-disks.ts';
import { mediumUuidOf, type RestoredDisk } from './restored-disk.ts';
import { checkRestoredConfig, checkRestoredDisk, validateDomainXml } from './restored-vm-verify.ts';
import { flattenStagedDisk, type StagedRoot } from './staged-disk-chain.ts';
import { stagePoint, vdiLayersOf, type StagedFile } from './staged-point.ts';
import { generateVbox } from './virtualbox-config-generate.ts';
import { rewriteVbox } from './virtualbox-config-rewrite.ts';
import { registerVm } from './vm-registration.ts';
import { shellCommand } from './vm-restore-plan.ts';
import { generateVmx } from './vmware-config-generate.ts';
import { rewriteVmx } from './vmware-config-rewrite.ts';
import { writeXmlDocument } from './xml-config-writer.ts';

export const VERIFY = 'Verify';

/** Discovery of the staged copy runs no hypervisor tool. */
const NO_TOOLS_ENV: NodeJS.ProcessEnv = { PATH: '' };

export interface RestoreVmRequest {
  store: VaultStore;
  manifest: Manifest;
  point: PointRow;
  plan: RestoreVmPlan;
  env: NodeJS.ProcessEnv;
  register: boolean;
}

interface Written {
  folderCreated: boolean;
  files: string[];
}

/** Creates the VM folder, or takes an existing empty one; CONFLICT when something is in it. */
async function openVmFolder(folder: string): Promise<boolean> {
  const created = await mkdir(folder, { recursive: true });
  const entries = await readdir(folder);
  if (created === undefined && entries.length > 0) {
    throw new LabvaultError(ErrorCodes.CONFLICT, `${folder} is not empty; a restore never writes over anything: choose a new or empty folder.`, { field: 'to' });
  }
  return created !== undefined;
}

/** The staged active layer of a planned disk: the staged VM's disk at the mapped source path, else by position. */
function stagedDiskOf(source: string, index: number, stagedVm: DiscoveredVm | null, staged: StagedFile[],
  staging: string): string {
  const mapped = underRoot(source, staging);
  const disks = (stagedVm?.disks ?? []).filter((disk) => disk.backupable);
  const byPath = disks.find((disk) => resolve(disk.path) === mapped);
  if (byPath) return byPath.path;
  const bySource = staged.find((file) => file.file.role === 'disk' && file.source === source);
  if (bySource) return bySource.staged;
  const byIndex = disks[index];
  if (byIndex) return byIndex.path;
  throw new LabvaultError(ErrorCodes.NOT_FOUND, `The point has no copy of disk ${source}.`, { field: 'point', details: { disk: source } });
}

async function copyNew(from: string, to: string, written: Written): Promise<void> {
  await copyFile(from, to, constants.COPYFILE_EXCL);
  written.files.push(to);
}

/** The saved-state files kept, copied under the new name; the name the configuration records. */
async function keepSavedState(stagedVm: DiscoveredVm, plan: RestoreVmPlan,
  written: Written): Promise<string | undefined> {
  let recorded: string | undefined;
  for (const file of stagedVm.savedState ?? []) {
    const ext = extname(file).toLowerCase();
    const target = `${plan.name}${ext}`;
    await copyNew(file, join(plan.folder, target), written);
    if (ext === '.sav' || ext === '.vmss') recorded = target;
  }
  return recorded;
}

interface WrittenConfig {
  text: string;
  id: string;
  notes: string[];
}

async function sameHypervisorConfig(stagedConfig: string, staging: string, plan: RestoreVmPlan, disks: RestoredDisk[],
  nvramFile: string | undefined, savedStateFile: string | undefined): Promise<WrittenConfig> {
  const text = await readConfigText(stagedConfig);
  const common = { stagedConfig, staging, name: plan.name, disks };
  if (plan.hypervisor === 'virtualbox') {
    const result = rewriteVbox({ ...common, document: parseBoundedXml(text, stagedConfig), nvramFile, savedStateFile });
    const written = writeXmlDocument(result.document, { declaration: true });
    return { text: written, id: result.machineUuid, notes: result.notes };
  }
  if (plan.hypervisor === 'libvirt-qemu') {
    const result = rewriteDomain({ ...common, document: parseBoundedXml(text, stagedConfig), nvramPath: plan.nvram });
    return { text: writeXmlDocument(result.document), id: result.uuid, notes: result.notes };
  }
  const result = rewriteVmx({ ...common, text, nvramFile, savedStateFile });
  return { text: result.text, id: '', notes: result.notes };
}

function generatedConfig(vm: PointVm, plan: RestoreVmPlan, disks: RestoredDisk[]): WrittenConfig {
  if (plan.hypervisor === 'virtualbox') {
    const result = generateVbox(vm, plan.name, disks);
    const text = writeXmlDocument(result.document, { declaration: true });
    return { text, id: result.machineUuid, notes: result.notes };
  }
  if (plan.hypervisor === 'libvirt-qemu') {
    const result = generateDomain(vm, plan.name, disks);
    return { text: writeXmlDocument(result.document), id: result.uuid, notes: result.notes };
  }
  const result = generateVmx(vm, plan.name, disks);
  return { text: result.text, id: '', notes: result.notes };
}

async function removeWritten(written: Written, folder: string): Promise<void> {
  for (const path of written.files.reverse()) await rm(path, { force: true }).catch(() => undefined);
  if (written.folderCreated) await rmdir(folder).catch(() => undefined);
}

export async function runRestoreVm(context: JobContext, request: RestoreVmRequest): Promise<void> {
  const { store, manifest, point, plan, env } = request;
  const vm = point.vm;
  if (!vm) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'This point records no VM.', { field: 'point' });
  const fileBytes = manifest.files.reduce((sum, file) => sum + file.size, 0);
  const diskBytes = plan.disks.reduce((sum, disk) => sum + (disk.virtualSize ?? 0), 0);
  context.begin(RESTORE, fileBytes + diskBytes);
  const written: Written = { folderCreated: await openVmFolder(plan.folder), files: [] };
  const staging = await mkdtemp(join(plan.folder, '.labvault-restore-'));
  const restored: RestoredDisk[] = [];
  let config: WrittenConfig;
  let verifiedOk = false;
  try {
    const staged = await stagePoint(context, store, manifest, staging,
      (bytes) => context.report(RESTORE, { bytesRead: bytes }));
    const stagedConfig = staged.find((file) => file.file.role === 'config');
    const layers: StagedRoot = { root: staging, vdiLayers: vdiLayersOf(staged) };
    const stagedVm = stagedConfig ? await readVm(stagedConfig.staged, { env: NO_TOOLS_ENV, root: staging }) : null;
    let done = fileBytes;
    for (const [index, planned] of plan.disks.entries()) {
      context.throwIfCancelled();
      const stagedPath = stagedDiskOf(planned.source, index, stagedVm, staged, staging);
      const base = done;
      written.files.push(planned.path);
      const size = await flattenStagedDisk(stagedPath, layers, planned.path, {
        format: planned.format, signal: context.signal,
        onProgress: (bytes) => context.report(RESTORE, { bytesRead: base + bytes }),
      });
      done = base + size;
      restored.push({
        staged: stagedPath, source: planned.source, path: planned.path, fileName: basename(planned.path),
        format: planned.format, ...(planned.bus ? { bus: planned.bus } : {}), virtualSize: size,
        uuid: await mediumUuidOf(planned.path, planned.format),
      });
    }
    const nvramFile = plan.nvram && stagedVm?.nvram ? basename(plan.nvram) : undefined;
    if (plan.nvram && stagedVm?.nvram) await copyNew(stagedVm.nvram, plan.nvram, written);
    const savedStateFile = plan.savedState && stagedVm ? await keepSavedState(stagedVm, plan, written) : undefined;
    config = plan.from === plan.hypervisor && stagedConfig
      ? await sameHypervisorConfig(stagedConfig.staged, staging, plan, restored, nvramFile, savedStateFile)
        .catch((error: unknown) => {
          // A configuration too old to rewrite (VirtualBox settings before 1.9) gets a generated one.
          if (!(error instanceof LabvaultError) || error.code !== ErrorCodes.UNSUPPORTED) throw error;
          const generated = generatedConfig(vm, plan, restored);
          return { ...generated, notes: [error.message, ...generated.notes] };
        })
      : generatedConfig(vm, plan, restored);
    written.files.push(plan.configPath);
    await writeFile(plan.configPath, config.text, { flag: 'wx', mode: 0o644 });
    let bytesWritten = 0;
    for (const path of written.files) bytesWritten += (await stat(path)).blocks * 512;
    context.report(RESTORE, { bytesRead: done, bytesWritten });
    context.end(RESTORE, 'completed', `VM "${plan.name}" restored into ${plan.folder}: ${restored.length} disk${restored.length === 1 ? '' : 's'} (chains merged), ${basename(plan.configPath)}.${config.notes.length > 0 ? ` ${config.notes.join(' ')}` : ''}`);

    context.begin(VERIFY, diskBytes);
    let verified = 0;
    const findings: string[] = [];
    for (const disk of restored) {
      context.throwIfCancelled();
      await assertRestoredDiskMatches(disk.staged, layers, disk.path, disk.format, (bytes) => {
        verified += bytes;
        context.report(VERIFY, { bytesRead: verified });
      }, context.signal);
      findings.push(`${disk.fileName}: same content as the point, ${await checkRestoredDisk(disk.path, disk.format, env)}`);
    }
    await checkRestoredConfig(plan, vm.id, config.id || vm.id);
    if (plan.hypervisor === 'libvirt-qemu') findings.push(await validateDomainXml(plan.configPath, env));
    findings.push(`${basename(plan.configPath)} read back with the new identity and the restored disks`);
    let registration = `Not registered: run ${shellCommand(plan.registerCommand)}.`;
    if (plan.hypervisor === 'vmware') registration = `Open ${plan.configPath} in VMware to register it.`;
    // From here on the VM is restored and verified: a registration that fails leaves it in place
    // (the error names the command).
    verifiedOk = true;
    await removeStaging(staging);
    if (request.register) registration = await registerVm(plan.registerCommand, env);
    context.end(VERIFY, 'completed', `${findings.join('; ')}. ${registration}`);
  } catch (error) {
    if (!verifiedOk) {
      await removeStaging(staging);
      await removeWritten(written, plan.folder);
    }
    throw error;
  } finally {
    await removeStaging(staging);
  }
}

async function removeStaging(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true }).catch(() => undefined);
}
