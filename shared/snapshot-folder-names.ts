/**
 * The folder Labvault keeps instant-restore clones in beside a VM's files
 * (<folder of the VM's first file>/.labvault-snapshots/<item>/<point>). Named here so that
 * the code making the clones (backup/snapshot-area.ts) and VM discovery, which must never
 * offer those clones as VMs or disks of their own, agree on it.
 */
export const BESIDE_VM_SNAPSHOTS_DIR = '.labvault-snapshots';
