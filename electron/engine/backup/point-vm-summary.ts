/**
 * What a point of a VM item records about the VM (manifest `extra.vm`, FORMAT.md section 12):
 * its identity, state and how it was captured, and the hardware summary the restore wizard
 * needs. Read back from an untrusted manifest through a bounded schema; a summary that does
 * not pass is left out of the point (points written before it, or by files items, have none).
 */
import { z } from '../../../shared/zod-jitless.ts';
import type { DiscoveredVm } from '../discovery/discovered-vm.ts';
import { PointVmSchema, type PointVm } from '../../../shared/contract/item-models.ts';

const Str = (max: number) => z.string().max(max);
const Path = Str(4096);

/** The stored form: the contract's shape with every string and array bounded. */
const StoredPointVmSchema = z.object({
  name: Str(200),
  id: Str(200),
  hypervisor: z.enum(['virtualbox', 'vmware', 'libvirt-qemu', 'files']),
  configPath: Path,
  state: z.enum(['running', 'saved', 'poweroff', 'aborted', 'unknown']),
  stateEvidence: Str(2000),
  capture: Str(500),
  consistencyNote: Str(2000),
  quiesced: z.boolean(),
  scripts: z.object({ pre: Str(2000).optional(), post: Str(2000).optional() }).optional(),
  hardware: z.object({
    cpus: z.number().int().min(0).max(4096).optional(),
    memoryMiB: z.number().int().min(0).max(1 << 30).optional(),
    firmware: z.enum(['bios', 'efi']).optional(),
    guestOs: Str(200).optional(),
    disks: z.array(z.object({
      bus: Str(32).optional(), path: Path, virtualSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    })).max(256),
    nics: z.array(z.object({
      model: Str(64).optional(), mac: Str(64).optional(), attachment: Str(200).optional(),
    })).max(64),
  }),
  skippedDisks: z.array(z.object({ path: Path, reason: Str(500) })).max(256).optional(),
});

export interface CaptureFacts {
  capture: string;
  consistencyNote: string;
  quiesced: boolean;
  scripts?: { pre?: string; post?: string };
}

export function pointVmSummary(vm: DiscoveredVm, facts: CaptureFacts): PointVm {
  const skipped = vm.disks.filter((disk) => !disk.backupable)
    .map((disk) => ({ path: disk.path, reason: disk.reason ?? 'not backed up' }));
  const summary: PointVm = {
    name: vm.name, id: vm.id, hypervisor: vm.hypervisor, configPath: vm.configPath, state: vm.state,
    stateEvidence: vm.stateEvidence.slice(0, 2000), capture: facts.capture,
    consistencyNote: facts.consistencyNote.slice(0, 2000),
    quiesced: facts.quiesced,
    ...(facts.scripts ? { scripts: facts.scripts } : {}),
    hardware: {
      ...(vm.hardware.cpus !== undefined ? { cpus: vm.hardware.cpus } : {}),
      ...(vm.hardware.memoryMiB !== undefined ? { memoryMiB: vm.hardware.memoryMiB } : {}),
      ...(vm.hardware.firmware ? { firmware: vm.hardware.firmware } : {}),
      ...(vm.hardware.guestOs ? { guestOs: vm.hardware.guestOs } : {}),
      disks: vm.hardware.disks.slice(0, 256),
      nics: vm.hardware.nics.slice(0, 64),
    },
    ...(skipped.length > 0 ? { skippedDisks: skipped.slice(0, 256) } : {}),
  };
  const stored = StoredPointVmSchema.safeParse(summary);
  // Discovery bounds what it reports; should a field still be out of bounds, keep the point without hardware.
  return stored.success ? stored.data : PointVmSchema.parse({ ...summary, hardware: { disks: [], nics: [] } });
}

/** The summary a manifest carries, or undefined when it has none or it fails the schema. */
export function readPointVmSummary(extra: Record<string, unknown> | undefined): PointVm | undefined {
  const parsed = StoredPointVmSchema.safeParse(extra?.vm);
  return parsed.success ? parsed.data : undefined;
}
