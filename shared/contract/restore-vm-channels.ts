/**
 * restore.vm and restore.vmCheck: a VM item's point restored as a new VM (same hypervisor,
 * or another one: cross-hypervisor). The new VM goes into its own folder under a new name,
 * with new identities (machine/medium UUIDs, VMware uuid.bios/uuid.location, libvirt uuid
 * and MACs), every path in its configuration rewritten to the restored files, disk chains
 * flattened, and is registered with the hypervisor's CLI when it is present.
 *
 * restore.vmCheck answers the same input without writing anything: the problems per field
 * (for live validation in the restore wizard) and the plan (the files the restore will
 * write, the registration command, what cannot be carried over, the CLI equivalent).
 * restore.vm checks the same, then starts a 'restore' job (subtasks Restore, Verify) and
 * returns its id with the plan.
 */
import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';

/** The hypervisors a VM can be restored for ('files' items restore disks only). */
export const RestoreHypervisorSchema = z.enum(['virtualbox', 'vmware', 'libvirt-qemu']);
export type RestoreHypervisor = z.infer<typeof RestoreHypervisorSchema>;

/** Disk formats a restore can write (qemu-img names). */
export const RestoreDiskFormatSchema = z.enum(['raw', 'qcow2', 'vmdk', 'vdi', 'vhdx']);
export type RestoreDiskFormat = z.infer<typeof RestoreDiskFormatSchema>;

/** The new VM's name: what the hypervisor shows and the configuration's file name. */
export const RestoredVmNameSchema = z.string().min(1).max(100);

export const RestoreVmInputSchema = z.object({
  /** The item's name or id (vault/item when names repeat across vaults). */
  item: z.string().min(1),
  point: z.string().min(1),
  /** The new VM's folder: created; refused when it exists and is not empty. */
  to: z.string().min(1).max(4096),
  /** The new VM's name; refused when the hypervisor already has a VM of that name. */
  name: RestoredVmNameSchema,
  /** The hypervisor to restore for; default the point's own (cross-hypervisor when different). */
  hypervisor: RestoreHypervisorSchema.optional(),
  /** Format of every restored disk; default the hypervisor's own (vdi, vmdk, qcow2). */
  format: RestoreDiskFormatSchema.optional(),
  /** Register the VM with the hypervisor's CLI when present (VBoxManage registervm, virsh define); default true. */
  register: z.boolean().optional(),
  /**
   * Keep the point's saved state (the VM resumes where it was); default true when the point
   * has one and the hypervisor is the point's own.
   */
  keepSavedState: z.boolean().optional(),
  /** libvirt connection URI for the name check and `virsh define` (default qemu:///session, or qemu:///system as root). */
  connection: z.string().min(1).max(512).optional(),
});
export type RestoreVmInput = z.infer<typeof RestoreVmInputSchema>;

export const RestoreVmProblemSchema = z.object({
  field: z.enum(['item', 'point', 'to', 'name', 'hypervisor', 'format', 'keepSavedState', 'connection']),
  code: z.string(),
  message: z.string(),
});
export type RestoreVmProblem = z.infer<typeof RestoreVmProblemSchema>;

export const RestoreVmPlanSchema = z.object({
  /** The point's hypervisor and the one restored for. */
  from: z.enum(['virtualbox', 'vmware', 'libvirt-qemu', 'files']),
  hypervisor: RestoreHypervisorSchema,
  name: z.string(),
  /** Absolute folder of the new VM. */
  folder: z.string(),
  /** The configuration the restore writes (.vbox, .vmx, domain .xml). */
  configPath: z.string(),
  disks: z.array(z.object({
    /** The disk as the point's VM had it (active layer). */
    source: z.string(),
    /** The restored, flattened image. */
    path: z.string(),
    format: RestoreDiskFormatSchema,
    /** Bus as the point's hardware summary names it (sata, scsi, ide, nvme, virtio). */
    bus: z.string().optional(),
    virtualSize: z.number().optional(),
  })),
  nvram: z.string().optional(),
  savedState: z.boolean(),
  /** Registers at the end (the tool is on PATH and register was not turned off). */
  registers: z.boolean(),
  /** The exact command that registers the VM (run by the restore when `registers`). */
  registerCommand: z.array(z.string()),
  /** What could not be carried over, and identities that were changed. */
  notes: z.array(z.string()),
  /** The same restore on the command line. */
  cliEquivalent: z.string(),
});
export type RestoreVmPlan = z.infer<typeof RestoreVmPlanSchema>;

export const restoreVmChannels = {
  'restore.vmCheck': channel(
    RestoreVmInputSchema.partial({ to: true, name: true }),
    z.object({ ok: z.boolean(), problems: z.array(RestoreVmProblemSchema), plan: RestoreVmPlanSchema.nullable() }),
    'Check a restore as a new VM without writing anything: problems per field (name taken, folder not empty) and the plan.',
  ),
  'restore.vm': channel(
    RestoreVmInputSchema,
    z.object({ jobId: z.string(), plan: RestoreVmPlanSchema }),
    'Restore a VM item\'s point as a new VM (new name, folder and identities; optionally for another hypervisor), verified and registered.',
  ),
} as const;
