/**
 * The configure-backup wizard as data: its steps (a discriminated union), the draft, and
 * the rules the steps follow: which VMs may be chosen, the consistency each will get given
 * its state, the names items get, and the command lines that do the same.
 */
import type { Consistency } from '../../../shared/contract/item-models.ts';
import { ITEM_NAME_MAX, itemNameProblem } from '../../../shared/item-rules.ts';
import { cliCommand, shellQuote } from '../../format/cli-quote.ts';
import { newPolicyDraft, type PolicyDraft } from '../policies/policy-draft.ts';
import type { VmCandidate } from './vm-candidate.ts';

/** The policy step creates a new policy through the policy wizard's own pages. */
export type PolicySubStep = 'choose' | 'schedule' | 'zone' | 'instant' | 'retention';

export type ConfigureStep =
  | { kind: 'vault' }
  | { kind: 'policy'; sub: PolicySubStep }
  | { kind: 'vms' }
  | { kind: 'review' }
  | { kind: 'enable' }
  | { kind: 'done' };

export const CONFIGURE_STEP_LABELS = ['Vault', 'Policy', 'Select VMs', 'Review', 'Enable backup', 'Backup now'] as const;

export function configureStepIndex(step: ConfigureStep): number {
  switch (step.kind) {
    case 'vault': return 0;
    case 'policy': return 1;
    case 'vms': return 2;
    case 'review': return 3;
    case 'enable': return 4;
    case 'done': return 5;
  }
}

export const POLICY_SUB_ORDER: readonly PolicySubStep[] = ['choose', 'schedule', 'zone', 'instant', 'retention'];

export interface ConfigureDraft {
  vault: string;
  policyChoice: 'existing' | 'new';
  /** The existing policy chosen (the vault's default at first). */
  policy: string;
  newPolicy: PolicyDraft;
  /** Config paths of the chosen VMs, in the order chosen. */
  selected: string[];
  /** Item names edited on the review step, by config path. */
  names: Record<string, string>;
}

export function emptyConfigureDraft(vault = ''): ConfigureDraft {
  return { vault, policyChoice: 'existing', policy: '', newPolicy: newPolicyDraft(), selected: [], names: {} };
}

/** The policy the items will be bound to. */
export function chosenPolicyName(draft: ConfigureDraft): string {
  return draft.policyChoice === 'new' ? draft.newPolicy.name : draft.policy;
}

export type VmAvailability = { ok: true } | { ok: false; reason: string };

/** A VM can be chosen unless an item protects it, or its data is soft-deleted in a vault. */
export function vmAvailability(vm: Pick<VmCandidate, 'protectedBy'>): VmAvailability {
  const by = vm.protectedBy;
  if (!by) return { ok: true };
  if (by.softDeleted) {
    return {
      ok: false,
      reason: `Its backup data is soft-deleted in vault ${by.vaultName} (item "${by.itemName}"): undelete it there, `
        + 'or wait until the data is purged.',
    };
  }
  return { ok: false, reason: `Already protected as "${by.itemName}" in vault ${by.vaultName}.` };
}

/** What a VM's recovery points will be, given the state it is in now (PRODUCT.md, Consistency). */
export interface ExpectedConsistency {
  consistency: Consistency;
  text: string;
}

const SNAPSHOT_TOOL: Record<VmCandidate['hypervisor'], string | null> = {
  virtualbox: 'VBoxManage', vmware: 'vmrun', 'libvirt-qemu': 'virsh', files: null,
};

export function expectedConsistency(vm: Pick<VmCandidate, 'state' | 'hypervisor'>): ExpectedConsistency {
  switch (vm.state) {
    case 'poweroff':
      return { consistency: 'file-system-consistent', text: 'Powered off cleanly: the disks are consistent as they are.' };
    case 'saved':
      return {
        consistency: 'saved-state',
        text: 'Saved state: the saved memory is part of each point, so a restore resumes where the VM was saved.',
      };
    case 'aborted':
      return { consistency: 'crash-consistent', text: 'Powered off hard or crashed: like pulling the plug.' };
    case 'unknown':
      return { consistency: 'crash-consistent', text: 'State not known: recorded as crash-consistent.' };
    case 'running': {
      const tool = SNAPSHOT_TOOL[vm.hypervisor];
      return {
        consistency: 'crash-consistent',
        text: tool
          ? `Running: backed up from a ${tool} snapshot (application-consistent when the guest agent quiesces it); `
            + `refused if ${tool} is not available at backup time.`
          : 'Running: disk images of a running VM cannot be frozen, so backups are refused while it runs.',
      };
    }
  }
}

/** An item name from the VM's name: "Ubuntu 24.04 (dev)" -> "Ubuntu-24.04-dev". */
export function itemNameForVm(vmName: string): string {
  const cleaned = vmName.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/g, '');
  const name = cleaned.slice(0, ITEM_NAME_MAX);
  return name.length >= 2 ? name : `vm-${name || 'item'}`;
}

export function vmItemName(draft: ConfigureDraft, vm: Pick<VmCandidate, 'configPath' | 'name'>): string {
  return draft.names[vm.configPath] ?? itemNameForVm(vm.name);
}

/** Problems with the chosen items' names: a broken rule, or two VMs under one name. */
export function itemNameErrors(draft: ConfigureDraft, vms: readonly VmCandidate[]): Map<string, string> {
  const errors = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const vm of vms) {
    const name = vmItemName(draft, vm);
    const problem = itemNameProblem(name);
    if (problem) {
      errors.set(vm.configPath, problem);
      continue;
    }
    const clash = seen.get(name.toLowerCase());
    if (clash !== undefined) errors.set(vm.configPath, `"${name}" is already the name of another VM chosen here.`);
    else seen.set(name.toLowerCase(), vm.configPath);
  }
  return errors;
}

/** Guest-visible size of a VM's disks (what the guest sees), when known. */
export function vmDiskBytes(vm: Pick<VmCandidate, 'disks'>): number | null {
  const sizes = vm.disks.map((disk) => disk.virtualSize);
  if (sizes.length === 0 || sizes.some((size) => size === undefined)) return null;
  return sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
}

/** The command lines that configure the same backup. */
export function configureCli(draft: ConfigureDraft, vms: readonly VmCandidate[]): string {
  const lines: string[] = [];
  if (draft.policyChoice === 'new') {
    lines.push(cliCommand(['labvault policy create', `--vault ${shellQuote(draft.vault)}`, '--file policy.json']));
  }
  const policy = chosenPolicyName(draft);
  for (const vm of vms) {
    lines.push(cliCommand([
      'labvault protect',
      `--vault ${shellQuote(draft.vault)}`,
      `--vm ${shellQuote(vm.configPath)}`,
      `--name ${shellQuote(vmItemName(draft, vm))}`,
      policy ? `--policy ${shellQuote(policy)}` : null,
    ]));
  }
  return lines.join('\n');
}

/** Where each chosen VM stands while backup is being enabled. */
export type VmOutcome =
  | { status: 'pending' }
  | { status: 'protecting' }
  | { status: 'protected'; itemId: string; itemName: string }
  | { status: 'failed'; error: string };
