/** Step 4 for "Restore disks": which files, the folder (new or empty), the format, whether chains are merged. */
import type { Point } from '../../../shared/contract/item-models.ts';
import type { PathCheck } from '../../../shared/contract/models.ts';
import { Field } from '../../components/field.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { RestoreFolderField } from './restore-folder-field.tsx';
import type { FormatChoice, RestoreDraft } from './restore-steps.ts';

const FORMATS: Array<Exclude<FormatChoice, ''>> = ['raw', 'qcow2', 'vmdk', 'vdi', 'vhdx'];

export function RestoreDisksOptions({ draft, point, update, check }: {
  draft: RestoreDraft; point: Point; update: (change: Partial<RestoreDraft>) => void; check: PathCheck | null;
}) {
  const toggle = (name: string, on: boolean) => {
    const files = on ? [...draft.files, name] : draft.files.filter((file) => file !== name);
    update({ files, allFiles: files.length === point.files.length });
  };
  const converting = draft.format !== '';
  return (
    <div className="form-wide">
      <h2>Disks</h2>
      <p className="step-intro">Files are written into the folder under their original names. It must be new or empty: a restore never overwrites anything.</p>
      <div className="form-narrow">
        <RestoreFolderField
          label="Restore into" value={draft.target} placeholder="/srv/restore/web-01"
          onValue={(target) => update({ target })}
          error={draft.files.length === 0 ? null : check && !check.ok ? check.message : null}
          note={check?.ok ? (check.message.startsWith('New folder') ? 'New folder: it will be created.' : 'Empty folder: files will be restored into it.') : null}
          browseTitle="Choose an empty folder to restore into" browseIntro="Choose a new or empty folder; the point's files are written into it."
        />
        <Field label="Disk format" hint="Another format converts each disk with its snapshot layers merged into one image.">
          {({ inputId, describedBy }) => (
            <select id={inputId} aria-describedby={describedBy} className="select" value={draft.format}
              onChange={(event) => {
                const format = event.target.value as FormatChoice;
                update({ format, flatten: format !== '' ? true : draft.flatten });
              }}>
              <option value="">As stored</option>
              {FORMATS.map((entry) => <option key={entry} value={entry}>{entry}</option>)}
            </select>
          )}
        </Field>
        <label className={`check${converting ? ' is-disabled' : ''}`}>
          <input type="checkbox" disabled={converting} checked={draft.flatten} onChange={(event) => update({ flatten: event.target.checked })} />
          <span><span className="check-title">Merge snapshot layers</span><br />
            <span className="check-text">{converting ? 'Converting always merges each disk into one image.'
              : 'Each disk becomes one image that needs no parent files.'}</span></span>
        </label>
      </div>
      <h3 className="section-title">Files in this point</h3>
      {point.files.map((file) => (
        <label key={file.name} className="check">
          <input type="checkbox" checked={draft.files.includes(file.name)} onChange={(event) => toggle(file.name, event.target.checked)} />
          <span><span className="check-title mono">{file.name}</span> <span className="check-text">{file.role}{file.diskFormat ? ` · ${file.diskFormat}` : ''} · {formatBytes(file.size)}</span></span>
        </label>
      ))}
      {draft.files.length === 0 ? <p className="field-error" role="alert">Choose at least one file.</p> : null}
    </div>
  );
}
