/**
 * vms.*: the VMs discovery finds (VirtualBox, VMware, libvirt/QEMU, folders of disk images)
 * and one VM read from its config file. Discovery only reads; `protectedBy` is filled by the
 * protection layer when a vault item protects the VM.
 */
import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';
import { DiskFormatSchema } from './image-channels.ts';

export const HypervisorSchema = z.enum(['virtualbox', 'vmware', 'libvirt-qemu', 'files']);
export const VmStateSchema = z.enum(['running', 'saved', 'poweroff', 'aborted', 'unknown']);

const ChainLinkSchema = z.object({ path: z.string(), format: DiskFormatSchema });

export const DiscoveredDiskSchema = z.object({
  path: z.string(),
  format: DiskFormatSchema,
  chain: z.array(ChainLinkSchema),
  backupable: z.boolean(),
  reason: z.string().optional(),
  bus: z.string().optional(),
  virtualSize: z.number().optional(),
});

export const VmNicSchema = z.object({
  model: z.string().optional(),
  mac: z.string().optional(),
  attachment: z.string().optional(),
});

export const VmHardwareSchema = z.object({
  cpus: z.number().optional(),
  memoryMiB: z.number().optional(),
  firmware: z.enum(['bios', 'efi']).optional(),
  guestOs: z.string().optional(),
  disks: z.array(z.object({ bus: z.string().optional(), path: z.string(), virtualSize: z.number().optional() })),
  nics: z.array(VmNicSchema),
});

export const VmProtectedBySchema = z.object({
  vaultId: z.string(),
  vaultName: z.string(),
  itemId: z.string(),
  itemName: z.string(),
  softDeleted: z.boolean().optional(),
});

export const DiscoveredVmSchema = z.object({
  name: z.string(),
  id: z.string(),
  hypervisor: HypervisorSchema,
  configPath: z.string(),
  state: VmStateSchema,
  stateEvidence: z.string(),
  disks: z.array(DiscoveredDiskSchema),
  nvram: z.string().optional(),
  savedState: z.array(z.string()).optional(),
  files: z.array(z.string()),
  missingOnDisk: z.array(z.string()),
  ignoredDevices: z.array(z.object({ device: z.string(), path: z.string().optional(), reason: z.string() })),
  sharedWith: z.array(z.object({ path: z.string(), vms: z.array(z.string()) })).optional(),
  snapshots: z.array(z.object({
    name: z.string(), id: z.string().optional(), current: z.boolean().optional(), parent: z.string().optional(),
  })).optional(),
  hardware: VmHardwareSchema,
  notes: z.array(z.string()).optional(),
  protectedBy: VmProtectedBySchema.optional(),
});
export type DiscoveredVmView = z.infer<typeof DiscoveredVmSchema>;

export const DiscoveryProblemSchema = z.object({ path: z.string(), code: z.string(), message: z.string() });

const FolderPath = z.string().min(1).max(4096);

export const VmDiscoverInputSchema = z.object({
  /** Places to look; none: the well-known places of this OS (or of `root`). */
  paths: z.array(FolderPath).max(64).optional(),
  /** Another machine's disk mounted here: its well-known places, and config paths mapped under it. */
  root: FolderPath.optional(),
});

export const vmChannels = {
  'vms.discover': channel(
    VmDiscoverInputSchema,
    z.object({ vms: z.array(DiscoveredVmSchema), problems: z.array(DiscoveryProblemSchema) }),
    'The VMs found in the well-known places (or the named ones), with state, disk chains and files.',
  ),
  'vms.read': channel(
    z.object({ configPath: FolderPath, root: FolderPath.optional() }),
    DiscoveredVmSchema,
    'One VM as it is now, from its config file (.vbox, .vmx, libvirt .xml) or a folder of disk images.',
  ),
} as const;
