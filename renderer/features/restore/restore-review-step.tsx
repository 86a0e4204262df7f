/** Step 5: everything the restore will do, in words, and the same restore on the command line. */
import type { Point } from '../../../shared/contract/item-models.ts';
import type { RestoreVmPlan } from '../../../shared/contract/restore-vm-channels.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDateTime } from '../../format/format-time.ts';
import { HYPERVISOR_LABEL } from '../protect/vm-candidate.ts';
import { restoreCli, type RestoreDraft } from './restore-steps.ts';

function shell(command: readonly string[]): string {
  return command.map(shellQuote).join(' ');
}

/** How the new VM gets into the hypervisor's list: in words, and the command (run by the restore when it registers). */
export function RegistrationText({ plan }: { plan: RestoreVmPlan }) {
  const text = plan.hypervisor === 'vmware' ? 'VMware adds the VM when it opens it (File > Open), or run:'
    : plan.registers ? `Registered with ${HYPERVISOR_LABEL[plan.hypervisor]} by:` : 'Not registered. To do it later, run:';
  return <>{text}<div className="mono small registration-command">{shell(plan.registerCommand)}</div></>;
}

/** The plan's notes less the registration one (the Registration row says it). */
function notesOf(plan: RestoreVmPlan): string[] {
  return plan.notes.filter((note) => !note.startsWith('Not registered') && !note.startsWith('VMware registers'));
}

export function RestoreReviewStep({ draft, point, plan, error }: {
  draft: RestoreDraft; point: Point | undefined; plan: RestoreVmPlan | null; error: string | null;
}) {
  const when = point ? formatDateTime(point.createdAt) : draft.pointId;
  return (
    <div className="form-wide">
      <h2>Review</h2>
      <p className="step-intro">Check what will happen. Every restore runs as a job; you can follow it here or on the Jobs page.</p>
      {error ? <AlertBanner tone="danger" title="The restore did not start.">{error}</AlertBanner> : null}
      <dl className="review">
        <dt>Item</dt><dd>{draft.itemName}</dd>
        <dt>Recovery point</dt><dd>{when}{point ? ` · ${formatBytes(point.logicalBytes)}` : ''}</dd>
        {draft.kind === 'new-vm' && plan ? (
          <>
            <dt>New VM</dt><dd>{plan.name} on {HYPERVISOR_LABEL[plan.hypervisor]}{plan.hypervisor !== plan.from ? ` (backed up from ${HYPERVISOR_LABEL[plan.from]})` : ''}</dd>
            <dt>Folder</dt><dd className="mono small">{plan.folder}</dd>
            <dt>Configuration</dt><dd className="mono small">{plan.configPath}</dd>
            <dt>Disks</dt><dd>{plan.disks.map((disk) => <div key={disk.path} className="mono small">{disk.path} <span className="muted">({disk.format}{disk.virtualSize ? `, ${formatBytes(disk.virtualSize)}` : ''})</span></div>)}</dd>
            <dt>Saved state</dt><dd>{plan.savedState ? 'Kept: the VM resumes where it was.' : 'None: the VM boots from its disks.'}</dd>
            <dt>Registration</dt><dd className="small"><RegistrationText plan={plan} /></dd>
            {notesOf(plan).length > 0 ? <><dt>Good to know</dt><dd><ul className="plain-list small">{notesOf(plan).map((note) => <li key={note}>{note}</li>)}</ul></dd></> : null}
          </>
        ) : null}
        {draft.kind === 'disks' ? (
          <>
            <dt>Restore into</dt><dd className="mono small">{draft.target}</dd>
            <dt>Files</dt><dd>{draft.files.map((file) => <div key={file} className="mono small">{file}</div>)}</dd>
            <dt>Disk format</dt><dd>{draft.format === '' ? (draft.flatten ? 'As stored, snapshot layers merged' : 'As stored') : `${draft.format}, snapshot layers merged`}</dd>
          </>
        ) : null}
        {draft.kind === 'replace' ? (
          <>
            <dt>Replaces</dt><dd>{point?.files.map((file) => <div key={file.name} className="mono small">{file.name}</div>)}</dd>
            <dt>First</dt><dd>The current files are backed up as a new recovery point.</dd>
            <dt>Then</dt><dd>Each file is written beside the original, checked, and swapped in.</dd>
          </>
        ) : null}
      </dl>
      <CliEquivalent command={restoreCli(draft, point?.vm?.state === 'saved')} />
    </div>
  );
}
