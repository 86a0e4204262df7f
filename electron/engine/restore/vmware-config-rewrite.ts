/**
 * The .vmx of a VM restored as a new VMware VM, rewritten line by line from the point's own
 * (other lines kept as they were): displayName; uuid.bios, uuid.location and vc.uuid
 * removed (VMware makes new ones when it opens the VM, without asking "moved or copied");
 * generated MAC addresses removed (regenerated); each disk's fileName pointed at its
 * restored, flattened VMDK (a disk not in the point is detached); nvram and the suspend
 * state (checkpoint.vmState) pointed at the restored files or removed; the snapshot and
 * extended-config references removed.
 */
import { dirname } from 'node:path';
import { decodeVmxValue } from '../discovery/vmware/vmx-file.ts';
import { configPathHere } from '../discovery/discovery-paths.ts';
import type { RestoredDisk } from './restored-disk.ts';

const LINE = /^\s*([A-Za-z0-9_.:\-[\]]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S*))\s*$/;
const DISK_FILE = /^((?:scsi|sata|nvme|ide)\d+:\d+)\.filename$/;
const CDROM_TYPES = /^(cdrom|atapi)/i;
const DROPPED = [/^uuid\.bios$/, /^uuid\.location$/, /^vc\.uuid$/, /^ethernet\d+\.generatedaddress(offset)?$/, /^extendedconfigfile$/, /^snapshot\./];

export interface VmxRewriteInput {
  text: string;
  stagedConfig: string;
  staging: string;
  name: string;
  disks: RestoredDisk[];
  nvramFile?: string | undefined;
  /** The restored suspend state (.vmss), when kept. */
  savedStateFile?: string | undefined;
}

/** A value as a .vmx line writes it (VMware's |XX escapes for a quote and the bar). */
export function vmxLine(key: string, value: string): string {
  return `${key} = "${value.replace(/\|/g, '|7C').replace(/"/g, '|22')}"`;
}

export function rewriteVmx(input: VmxRewriteInput): { text: string; notes: string[] } {
  const notes: string[] = [];
  const configDir = dirname(input.stagedConfig);
  const byStaged = new Map(input.disks.map((disk) => [disk.staged, disk]));
  const lines = input.text.split(/\r?\n/);
  const entries = new Map<string, string>();
  for (const line of lines) {
    const match = LINE.exec(line);
    if (match) entries.set((match[1] as string).toLowerCase(), decodeVmxValue(match[2] ?? match[3] ?? ''));
  }
  const detached = new Set<string>();
  const replaced = new Map<string, string>();
  for (const [key, value] of entries) {
    const disk = DISK_FILE.exec(key);
    if (!disk) continue;
    const device = disk[1] as string;
    if (CDROM_TYPES.test(entries.get(`${device}.devicetype`) ?? '') || value.toLowerCase().endsWith('.iso')) continue;
    const restored = byStaged.get(configPathHere(value, configDir, input.staging));
    if (restored) replaced.set(key, restored.fileName);
    else {
      detached.add(device);
      notes.push(`Disk ${device} (${value}) is not in the point: it was detached.`);
    }
  }
  const out: string[] = [];
  let sawName = false;
  let sawNvram = false;
  let sawState = false;
  for (const line of lines) {
    const match = LINE.exec(line);
    if (!match) {
      out.push(line);
      continue;
    }
    const rawKey = match[1] as string;
    const key = rawKey.toLowerCase();
    if (DROPPED.some((pattern) => pattern.test(key))) continue;
    const device = /^((?:scsi|sata|nvme|ide)\d+:\d+)\./.exec(key)?.[1];
    if (device && detached.has(device)) {
      if (key === `${device}.present`) out.push(vmxLine(rawKey, 'FALSE'));
      continue;
    }
    if (key === 'displayname') {
      out.push(vmxLine(rawKey, input.name));
      sawName = true;
    } else if (replaced.has(key)) {
      out.push(vmxLine(rawKey, replaced.get(key) as string));
    } else if (key === 'nvram') {
      sawNvram = true;
      if (input.nvramFile) out.push(vmxLine(rawKey, input.nvramFile));
    } else if (key === 'checkpoint.vmstate') {
      sawState = true;
      if (input.savedStateFile) out.push(vmxLine(rawKey, input.savedStateFile));
    } else {
      out.push(line);
    }
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  if (!sawName) out.push(vmxLine('displayName', input.name));
  if (!sawNvram && input.nvramFile) out.push(vmxLine('nvram', input.nvramFile));
  if (!sawState && input.savedStateFile) out.push(vmxLine('checkpoint.vmState', input.savedStateFile));
  notes.push('uuid.bios and uuid.location were removed (VMware makes new ones) and generated MAC addresses are regenerated.');
  return { text: `${out.join('\n')}\n`, notes };
}
