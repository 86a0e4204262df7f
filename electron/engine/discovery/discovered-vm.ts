/**
 * What discovery reports about one VM: the shape `labvault vm discover --json` prints and
 * the protection of a VM item is built on. Every path is absolute. Discovery only reads:
 * nothing is ever written to a VM's files.
 */
import type { DiskFormat } from '../disk/virtual-disk.js';

export type Hypervisor = 'virtualbox' | 'vmware' | 'libvirt-qemu' | 'files';

export type VmState = 'running' | 'saved' | 'poweroff' | 'aborted' | 'unknown';

export interface DiscoveredChainLink {
  path: string;
  format: DiskFormat;
}

export interface DiscoveredDisk {
  /** The active layer (what the VM writes to now). */
  path: string;
  format: DiskFormat;
  /** Active layer first, base last. */
  chain: DiscoveredChainLink[];
  backupable: boolean;
  /** Why it is not backed up (independent-nonpersistent, missing layer, ...). */
  reason?: string;
  /** Bus as the config names it: 'sata' | 'scsi' | 'ide' | 'nvme' | 'virtio' | 'usb' | ... */
  bus?: string;
  /** Guest-visible size in bytes when the image could be opened. */
  virtualSize?: number;
}

/** A device of the VM that is not backed up (cdrom, floppy, network disk, block device). */
export interface IgnoredDevice {
  device: string;
  path?: string;
  reason: string;
}

export interface VmNic {
  /** e.g. 'e1000', 'virtio', 'vmxnet3', 'virtio-net'. */
  model?: string;
  mac?: string;
  /** 'nat' | 'bridged' | 'hostonly' | 'network:default' | ... as the config says. */
  attachment?: string;
}

/** What the restore wizard needs to rebuild the VM elsewhere. */
export interface VmHardware {
  cpus?: number;
  memoryMiB?: number;
  firmware?: 'bios' | 'efi';
  /** Guest OS type as the hypervisor names it (VirtualBox OSType, VMware guestOS, libvirt os). */
  guestOs?: string;
  disks: { bus?: string; path: string; virtualSize?: number }[];
  nics: VmNic[];
}

export interface DiscoveredVm {
  name: string;
  /** The hypervisor's id (VirtualBox machine UUID, VMware uuid.bios, libvirt uuid), else a digest of configPath. */
  id: string;
  hypervisor: Hypervisor;
  configPath: string;
  state: VmState;
  /** How the state was decided: file fields, lock folders, and the CLI that confirmed it. */
  stateEvidence: string;
  disks: DiscoveredDisk[];
  nvram?: string;
  /** Saved-state / suspend files (VirtualBox .sav, VMware .vmss/.vmem, libvirt save image). */
  savedState?: string[];
  /** Every file that makes the VM now: config, every chain layer, NVRAM, saved state, logs excluded. */
  files: string[];
  /** Files the config names that are not on disk. */
  missingOnDisk: string[];
  ignoredDevices: IgnoredDevice[];
  /** Files this VM shares with other discovered VMs (a golden base image), with their names. */
  sharedWith?: { path: string; vms: string[] }[];
  /** Snapshots the hypervisor lists (VirtualBox snapshot tree, .vmsd, libvirt snapshots). */
  snapshots?: { name: string; id?: string; current?: boolean; parent?: string }[];
  hardware: VmHardware;
  /**
   * What a user should know that is not an error: the registry and an image disagree on a
   * parent, a lock folder may be stale, the settings version read.
   */
  notes?: string[];
  /** Set by the protection layer: the item protecting this VM in some vault. */
  protectedBy?: { vaultId: string; vaultName: string; itemId: string; itemName: string; softDeleted?: boolean };
}
