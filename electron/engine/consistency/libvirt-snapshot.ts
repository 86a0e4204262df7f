/**
 * libvirt/QEMU: a disk-only external snapshot with overlays in a private temp folder
 * (`virsh snapshot-create-as --disk-only --atomic --no-metadata`, `--quiesce` when the guest
 * agent answers a ping), so the images the domain used are frozen while they are read; then
 * `virsh blockcommit --active --pivot` per disk merges the overlay back and the domain runs
 * on its original images again, and the overlay is removed. An overlay whose commit failed
 * is never removed (the domain runs on it); the error names the command to finish by hand.
 */
import { chmod, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import type { FreezeRequest, FrozenVm, HypervisorSnapshotDriver } from './hypervisor-snapshot.ts';
import { runTool, runToolOk } from './hypervisor-tool.ts';

const QUICK_MS = 60_000;
/** A commit copies what the guest wrote during the backup; bounded, but generously. */
const COMMIT_MS = 6 * 60 * 60 * 1000;

export interface BlockDevice {
  type: string;
  device: string;
  target: string;
  source: string;
}

/** Rows of `virsh domblklist --details` (Type Device Target Source). */
export function parseDomblklist(text: string): BlockDevice[] {
  const rows: BlockDevice[] = [];
  for (const line of text.split('\n').slice(0, 4096)) {
    const match = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(.+?)\s*$/.exec(line);
    if (!match || match[1] === 'Type' || /^-+$/.test(match[1] as string)) continue;
    const [, type, device, target, source] = match as unknown as [string, string, string, string, string];
    rows.push({ type, device, target, source });
  }
  return rows;
}

/** The connection a domain's config belongs to: system for /etc/libvirt, session for a user's folder. */
export function libvirtUri(configPath: string): string | null {
  if (configPath.startsWith('/etc/libvirt/') || configPath.startsWith('/run/libvirt/')) return 'qemu:///system';
  if (/\/\.config\/libvirt\/qemu\//.test(configPath)) return 'qemu:///session';
  return null;
}

function virshArgs(vm: DiscoveredVm, args: string[]): string[] {
  const uri = libvirtUri(vm.configPath);
  return uri ? ['-c', uri, ...args] : args;
}

async function agentAnswers(virsh: string, vm: DiscoveredVm, env: NodeJS.ProcessEnv): Promise<boolean> {
  const ping = virshArgs(vm, ['qemu-agent-command', vm.id, '{"execute":"guest-ping"}', '--timeout', '5']);
  const result = await runTool(virsh, ping, env, QUICK_MS).catch(() => null);
  return result !== null && result.exitCode === 0;
}

/** Which targets to snapshot (the VM's backed-up disks), with their overlay paths; others get snapshot=no. */
function diskSpecs(vm: DiscoveredVm, devices: BlockDevice[],
  tempDir: string): { specs: string[]; frozen: BlockDevice[] } {
  const wanted = new Set(vm.disks.filter((disk) => disk.backupable).map((disk) => resolve(disk.path)));
  const frozen: BlockDevice[] = [];
  const specs: string[] = [];
  for (const device of devices) {
    if (device.source !== '-' && wanted.has(resolve(device.source))) {
      frozen.push(device);
      wanted.delete(resolve(device.source));
      specs.push('--diskspec', `${device.target},snapshot=external,file=${join(tempDir, `${device.target}.labvault-overlay.qcow2`)}`);
    } else {
      specs.push('--diskspec', `${device.target},snapshot=no`);
    }
  }
  if (wanted.size > 0) {
    throw new LabvaultError(ErrorCodes.SOURCE_CHANGED,
      `The running domain "${vm.name}" does not use ${[...wanted].join(', ')} as its configuration says (virsh domblklist). `
      + 'Nothing was backed up; retry once the domain runs on the disks of its configuration.',
      { details: { vm: vm.name } });
  }
  return { specs, frozen };
}

async function commitAll(virsh: string, vm: DiscoveredVm, frozen: BlockDevice[], tempDir: string,
  env: NodeJS.ProcessEnv): Promise<void> {
  const failures: string[] = [];
  for (const device of frozen) {
    const overlay = join(tempDir, `${device.target}.labvault-overlay.qcow2`);
    const args = virshArgs(vm, ['blockcommit', vm.id, device.target, '--active', '--pivot', '--wait']);
    const result = await runTool(virsh, args, env, COMMIT_MS).catch((error: unknown) => ({
      exitCode: -1, stdout: '', stderr: error instanceof Error ? error.message : String(error),
    }));
    const now = await runTool(virsh, virshArgs(vm, ['domblklist', vm.id, '--details']), env, QUICK_MS).catch(() => null);
    const row = now ? parseDomblklist(now.stdout).find((entry) => entry.target === device.target) : undefined;
    if (result.exitCode === 0 && row && resolve(row.source) === resolve(device.source)) {
      await rm(overlay, { force: true });
      continue;
    }
    failures.push(`${device.target}: ${(result.stderr || result.stdout).trim().slice(-400) || 'still on the overlay'}`
      + ` (finish with: virsh blockcommit ${vm.id} ${device.target} --active --pivot; the overlay ${overlay} must stay until then)`);
  }
  if (failures.length > 0) {
    throw new LabvaultError(ErrorCodes.IO_ERROR,
      `Merging the backup snapshot of "${vm.name}" back failed; the domain keeps running on the overlay: ${failures.join('; ')}.`,
      { details: { vm: vm.name } });
  }
}

export const libvirtSnapshotDriver: HypervisorSnapshotDriver = {
  hypervisor: 'libvirt-qemu',
  toolName: 'virsh',
  async freeze(virsh: string, request: FreezeRequest): Promise<FrozenVm> {
    const { vm, env, tempDir } = request;
    const state = await runToolOk(virsh, virshArgs(vm, ['domstate', vm.id]), env, QUICK_MS, `Asking libvirt for the state of "${vm.name}"`);
    if (!/^(running|paused)/.test(state.stdout.trim())) {
      throw new LabvaultError(ErrorCodes.SOURCE_CHANGED,
        `Domain "${vm.name}" is ${state.stdout.trim() || 'not running'} now, not running as discovered: retry the backup.`,
        { details: { vm: vm.name } });
    }
    const listing = await runToolOk(virsh, virshArgs(vm, ['domblklist', vm.id, '--details']), env, QUICK_MS, `Listing the disks of "${vm.name}"`);
    const { specs, frozen } = diskSpecs(vm, parseDomblklist(listing.stdout), tempDir);
    // qemu runs as its own user under the system connection: it must reach the overlays.
    await chmod(tempDir, 0o711);
    const name = `labvault-${request.label}`;
    const base = ['snapshot-create-as', vm.id, '--name', name, '--disk-only', '--atomic', '--no-metadata', ...specs];
    let quiesced = await agentAnswers(virsh, vm, env);
    let created = quiesced ? await runTool(virsh, virshArgs(vm, [...base, '--quiesce']), env, QUICK_MS) : null;
    if (!created || created.exitCode !== 0) {
      quiesced = false;
      created = await runToolOk(virsh, virshArgs(vm, base), env, QUICK_MS, `Taking a disk-only snapshot of "${vm.name}"`);
    }
    return {
      method: `libvirt disk-only external snapshot${quiesced ? ' (guest agent quiesced)' : ''}, then blockcommit`,
      quiesced,
      release: () => commitAll(virsh, vm, frozen, tempDir, env),
    };
  },
};
