/**
 * Step 4 for "Replace existing": the rule (the VM must be off), what happens (current state
 * backed up first, each file swapped in only once verified), the VM's state now, an
 * interrupted replace with how to finish it, and the item's name typed to confirm.
 */
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import type { ReplaceStatusView } from '../../../shared/contract/restore-replace-channels.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { TypedConfirm } from '../../components/typed-confirm.tsx';
import { VmStateBadge } from '../protect/hypervisor-badges.tsx';
import type { VmNow } from '../protect/use-vm-states.ts';
import type { RestoreDraft } from './restore-steps.ts';

const OFF = new Set(['poweroff', 'aborted']);

/** Why a replace cannot start now, or null. */
export function replaceBlocker(
  item: Item | undefined, vmNow: VmNow | undefined, status: ReplaceStatusView | undefined,
): string | null {
  if (status?.pending) return 'An earlier replace of this item was interrupted: finish or undo it first.';
  if (!item?.vm || item.vm.hypervisor === 'files') return null;
  if (!vmNow) return 'Reading the VM\'s state…';
  if (OFF.has(vmNow.state)) return null;
  if (vmNow.state === 'running') return `${vmNow.name} is running: shut it down first.`;
  if (vmNow.state === 'saved') return `${vmNow.name} is saved (suspended): its memory refers to the current disks. Shut it down or discard the saved state first.`;
  return `Labvault cannot tell whether ${vmNow.name} is off (no hypervisor tool answered).`;
}

export function RestoreReplaceOptions({ draft, item, point, update, vmNow, status }: {
  draft: RestoreDraft; item: Item | undefined; point: Point; update: (change: Partial<RestoreDraft>) => void;
  vmNow: VmNow | undefined; status: ReplaceStatusView | undefined;
}) {
  const vm = item?.vm && item.vm.hypervisor !== 'files' ? item.vm : undefined;
  const blocker = replaceBlocker(item, vmNow, status);
  return (
    <div className="form-wide">
      <h2>Replace existing</h2>
      <p className="step-intro">
        {vm ? `${vm.vmName}'s files are put back as they were at this point, in place.` : "The item's files are put back as they were at this point, in place."}
        {' '}Its current files are first backed up as a new recovery point, so this can be undone.
      </p>
      <ul className="plain-list small replace-rules">
        <li>
          <strong>The VM must be shut down</strong>: a running or suspended VM holds its disks open.
          Labvault checks this before it starts and again before the files are swapped.
        </li>
        <li>
          Each file is written next to the original, checked against the backup, and only then swapped in:
          a file is always either the old or the new one.
        </li>
        <li>{point.files.length} file{point.files.length === 1 ? '' : 's'} will be replaced.</li>
      </ul>
      {vm ? (
        <p className="row" data-testid="replace-vm-state">
          <span>State of {vm.vmName} now:</span>
          {vmNow ? <VmStateBadge state={vmNow.state} evidence={vmNow.stateEvidence} /> : <span className="muted">reading…</span>}
        </p>
      ) : null}
      {status?.pending ? (
        <AlertBanner tone="danger" title="An earlier replace was interrupted.">{status.pending.howTo}</AlertBanner>
      ) : blocker && vmNow ? <AlertBanner tone="warn" title="Replace cannot start now.">{blocker}</AlertBanner> : null}
      <div className="form-narrow">
        <TypedConfirm expected={draft.itemName} value={draft.confirm} onValue={(confirm) => update({ confirm })} what="item name" />
      </div>
    </div>
  );
}
