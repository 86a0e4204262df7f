/**
 * Freezing a running VM's disks through its hypervisor for the length of a backup. A driver
 * takes the hypervisor's own snapshot (libvirt disk-only external snapshot, VirtualBox live
 * snapshot, VMware snapshot), after which the VM writes to new layers and the layers the VM
 * had before are frozen: those are what the backup reads. `release` undoes the snapshot
 * (blockcommit, snapshot delete) and is called exactly once, after the frozen files are read.
 */
import type { DiscoveredVm, Hypervisor } from '../discovery/discovered-vm.ts';

export interface FrozenVm {
  /** How the disks were frozen, as the point records it. */
  method: string;
  /** The guest's file systems were flushed and frozen by its agent while the snapshot was taken. */
  quiesced: boolean;
  /** Merges the snapshot back and removes what it created; throws naming what is left to do by hand. */
  release(): Promise<void>;
}

export interface FreezeRequest {
  vm: DiscoveredVm;
  /** A label unique to this backup (snapshot name). */
  label: string;
  /** A private folder for overlays, removed by the caller after release. */
  tempDir: string;
  env: NodeJS.ProcessEnv;
}

export interface HypervisorSnapshotDriver {
  hypervisor: Hypervisor;
  /** The tool it needs on the PATH (named in the refusal when it is absent). */
  toolName: string;
  freeze(toolPath: string, request: FreezeRequest): Promise<FrozenVm>;
}
