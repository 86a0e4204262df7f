/** Step 3: what to restore. Disks now; new VM, replace and file recovery are coming. */
import type { Point } from '../../../shared/contract/item-models.ts';
import { formatBytes } from '../../format/format-bytes.ts';
import type { RestoreDraft, RestoreKind } from './restore-steps.ts';

const KINDS: Array<{ kind: RestoreKind; title: string; text: string; available: boolean }> = [
  { kind: 'disks', title: 'Restore disks', text: "Write the point's disk images (and configuration files) into a folder, verified byte for byte.", available: true },
  { kind: 'new-vm', title: 'Create new VM', text: 'Restore configuration and disks under a new name, paths rewritten, ready to register.', available: false },
  { kind: 'replace', title: 'Replace existing', text: "Put the point's disks back in place, after backing up the current state.", available: false },
  { kind: 'files', title: 'File recovery', text: 'Browse partitions and files inside the disks and download single files or folders.', available: true },
];

export function RestoreWhatStep({ draft, point, update }: {
  draft: RestoreDraft; point: Point | undefined; update: (change: Partial<RestoreDraft>) => void;
}) {
  const toggle = (name: string, on: boolean) => {
    const files = on ? [...draft.files, name] : draft.files.filter((file) => file !== name);
    update({ files, allFiles: point !== undefined && files.length === point.files.length });
  };
  return (
    <div>
      <h2>What to restore</h2>
      <p className="step-intro">Every restore verifies what it wrote against the stored checksums.</p>
      <div className="choice-group cols-2" role="radiogroup" aria-label="Restore type">
        {KINDS.map((entry) => (
          <label key={entry.kind} className={`choice${draft.kind === entry.kind ? ' is-selected' : ''}${entry.available ? '' : ' is-disabled'}`}>
            <input type="radio" name="restore-kind" disabled={!entry.available} checked={draft.kind === entry.kind} onChange={() => update({ kind: entry.kind })} />
            <span><span className="check-title">{entry.title}</span>{entry.available ? null : <> <span className="badge">Coming later</span></>}<br /><span className="check-text">{entry.text}</span></span>
          </label>
        ))}
      </div>
      {point && draft.kind === 'files' ? (
        <p className="small muted">Next opens the point's file browser: choose a partition, find files by name, select them and download them to a folder.</p>
      ) : null}
      {point && draft.kind !== 'files' ? (
        <>
          <h3 className="section-title">Files in this point</h3>
          {point.files.map((file) => (
            <label key={file.name} className="check">
              <input type="checkbox" checked={draft.files.includes(file.name)} onChange={(event) => toggle(file.name, event.target.checked)} />
              <span><span className="check-title mono">{file.name}</span> <span className="check-text">{file.role}{file.diskFormat ? ` · ${file.diskFormat}` : ''} · {formatBytes(file.size)}</span></span>
            </label>
          ))}
        </>
      ) : null}
    </div>
  );
}
