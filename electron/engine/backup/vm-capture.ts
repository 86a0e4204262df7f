/**
 * The Snapshot phase of a VM item: re-read its configuration (the VM as it is now: a layer
 * the hypervisor added since the last backup is in, a removed one is out), decide what
 * consistency the point can claim (consistency/consistency-plan.ts), and for a running VM
 * freeze its disks through the hypervisor's own snapshot for as long as they are read.
 *
 * The configuration is read into memory before any snapshot (a hypervisor rewrites it while
 * its snapshot exists) and that copy is what the point stores. When every file was cloned
 * (instant-restore tier) the hypervisor snapshot is released at once; otherwise after the
 * transfer read the frozen files.
 */
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { Consistency, PointVm } from '../../../shared/contract/item-models.ts';
import { planCapture, snapshotConsistency } from '../consistency/consistency-plan.ts';
import type { FrozenVm } from '../consistency/hypervisor-snapshot.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import type { ItemFileRecord, ItemRecord, VmItemSource } from '../protection/item-record.ts';
import { assertSameVm, assertVmComplete, vmItemFiles, type VmReader } from '../protection/vm-source.ts';
import { identityOf, type Capture } from './snapshot-phase.ts';
import { pointVmSummary } from './point-vm-summary.ts';

/** A configuration file is small; a larger one is not read into memory. */
const CONFIG_MAX_BYTES = 16 * 1024 * 1024;

export interface VmCaptureServices {
  readVm: VmReader;
  env: NodeJS.ProcessEnv;
}

/** A VM made ready for the capture: its files now, the consistency it can claim, and the snapshot to release. */
export class PreparedVm {
  readonly vm: DiscoveredVm;
  readonly files: ItemFileRecord[];
  private readonly configBytes: Buffer | null;
  private readonly asIs: { consistency: Consistency; note: string } | null;
  private frozen: FrozenVm | null;
  private tempDir: string | null;
  private released = false;

  constructor(vm: DiscoveredVm, configBytes: Buffer | null, asIs: PreparedVm['asIs'], frozen: FrozenVm | null,
    tempDir: string | null) {
    this.vm = vm;
    this.files = vmItemFiles(vm);
    this.configBytes = configBytes;
    this.asIs = asIs;
    this.frozen = frozen;
    this.tempDir = tempDir;
  }

  /** How the files are captured, in words. */
  get captureMethod(): string {
    return this.frozen?.method ?? 'files read as they were (the VM was not running)';
  }

  get isFrozen(): boolean {
    return this.frozen !== null && !this.released;
  }

  consistency(scriptsSucceeded: boolean): Consistency {
    if (this.asIs) return this.asIs.consistency;
    return snapshotConsistency(this.frozen?.quiesced === true, scriptsSucceeded);
  }

  summary(scriptsSucceeded: boolean, scripts?: { pre?: string; post?: string }): PointVm {
    const consistency = this.consistency(scriptsSucceeded);
    const note = this.asIs?.note ?? (this.frozen?.quiesced
      ? `Running; the guest agent flushed and froze its file systems for the snapshot${
        consistency === 'application-consistent' ? ', and the pre/post scripts succeeded' : ''}.`
      : 'Running; the disks were frozen by a hypervisor snapshot without quiescing the guest: like pulling the plug.');
    return pointVmSummary(this.vm, {
      capture: this.captureMethod,
      consistencyNote: note,
      quiesced: this.frozen?.quiesced === true,
      ...(scripts ? { scripts } : {}),
    });
  }

  /**
   * The configuration read before the snapshot replaces the live one in the capture: written
   * over its clone, or into the private temp folder (then it is a frozen copy, not re-checked).
   */
  async pinConfig(capture: Capture): Promise<Capture> {
    if (!this.frozen || !this.configBytes) return capture;
    const configPath = resolve(this.vm.configPath);
    const files = [];
    for (const file of capture.files) {
      if (resolve(file.source.path) !== configPath) {
        files.push(file);
        continue;
      }
      const target = file.cloned ? file.readPath : join(await this.ensureTempDir(), 'config-before-snapshot');
      await writeFile(target, this.configBytes, { mode: 0o600 });
      const handle = await open(target, 'r');
      const written = identityOf(await handle.stat());
      await handle.close();
      // Its own identity (never equal to the live file's): the pinned copy is always read.
      files.push({ ...file, readPath: target, cloned: true, identity: { ...written, mode: file.identity.mode } });
    }
    return { ...capture, files };
  }

  /** Merges the hypervisor snapshot back (once) and removes the temp folder unless overlays must stay. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.frozen?.release();
    } catch (error) {
      this.tempDir = null; // the domain may still run on an overlay in it: never remove it
      throw error;
    } finally {
      if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  private async ensureTempDir(): Promise<string> {
    this.tempDir ??= await mkdtemp(join(tmpdir(), 'labvault-vm-'));
    return this.tempDir;
  }
}

async function readConfig(path: string): Promise<Buffer | null> {
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return null;
  try {
    const { size } = await handle.stat();
    if (size > CONFIG_MAX_BYTES) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT,
        `The VM configuration ${path} is ${size} bytes, more than a configuration file holds (${CONFIG_MAX_BYTES}).`,
        { details: { path } });
    }
    const bytes = Buffer.alloc(size);
    const { bytesRead } = await handle.read(bytes, 0, size, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Reads the VM of a VM item now and, when it is running, freezes it (the caller releases it). */
export async function prepareVm(services: VmCaptureServices, source: VmItemSource, item: ItemRecord,
  label: string): Promise<PreparedVm> {
  const vm = await services.readVm(source.configPath);
  assertSameVm(source, vm, item.name);
  assertVmComplete(vm);
  const plan = await planCapture(vm, services.env);
  if (plan.kind === 'as-is') return new PreparedVm(vm, null, { consistency: plan.consistency, note: plan.note }, null, null);
  const configBytes = vm.hypervisor === 'files' ? null : await readConfig(vm.configPath);
  const tempDir = await mkdtemp(join(tmpdir(), 'labvault-vm-'));
  try {
    const frozen = await plan.driver.freeze(plan.toolPath, { vm, label, tempDir, env: services.env });
    return new PreparedVm(vm, configBytes, null, frozen, tempDir);
  } catch (error) {
    await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}
