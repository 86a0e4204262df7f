/** Step 3: what to restore: a new VM (VM items), the disks, the VM in place, or single files. */
import type { Point } from '../../../shared/contract/item-models.ts';
import { restoresAsVm, type RestoreDraft, type RestoreKind } from './restore-steps.ts';

interface KindChoice { kind: RestoreKind; title: string; text: string; unavailable: string | null }

export function restoreKinds(point: Point | undefined): KindChoice[] {
  const vm = restoresAsVm(point);
  return [
    { kind: 'new-vm', title: 'Create new VM', unavailable: vm ? null : 'Only for VMs (this item protects plain files).',
      text: 'The VM as it was, under a new name in its own folder, next to the current one. Nothing existing is touched.' },
    { kind: 'disks', title: 'Restore disks', unavailable: null,
      text: "The point's disk images (and configuration files) into a folder, optionally converted to another format." },
    { kind: 'replace', title: 'Replace existing', unavailable: null,
      text: vm ? 'Put the VM back as it was at this point, in place. Its current state is backed up first.'
        : "Put the point's files back in place of the current ones. The current state is backed up first." },
    { kind: 'files', title: 'File recovery', unavailable: null,
      text: 'Browse the files inside the disks and download single files or folders.' },
  ];
}

export function RestoreWhatStep({ draft, point, update }: {
  draft: RestoreDraft; point: Point | undefined; update: (change: Partial<RestoreDraft>) => void;
}) {
  return (
    <div>
      <h2>What to restore</h2>
      <p className="step-intro">Every restore checks what it wrote against the backup, byte for byte.</p>
      <div className="choice-group cols-2" role="radiogroup" aria-label="Restore type">
        {restoreKinds(point).map((entry) => (
          <label key={entry.kind} className={`choice${draft.kind === entry.kind ? ' is-selected' : ''}${entry.unavailable ? ' is-disabled' : ''}`}>
            <input type="radio" name="restore-kind" disabled={entry.unavailable !== null} checked={draft.kind === entry.kind} onChange={() => update({ kind: entry.kind })} />
            <span>
              <span className="check-title">{entry.title}</span><br />
              <span className="check-text">{entry.unavailable ?? entry.text}</span>
            </span>
          </label>
        ))}
      </div>
      {draft.kind === 'files' ? (
        <p className="small muted">Next opens the point's file browser: choose a partition, find files by name, select them and download them to a folder.</p>
      ) : null}
    </div>
  );
}
