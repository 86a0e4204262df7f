/**
 * The folder a restore writes into: a path field with "Browse…", which opens the in-app
 * folder browser (folders of the machine running Labvault, as in the configure-backup
 * wizard), so it works in the browser host as in the desktop app.
 */
import { useState } from 'react';
import { Button } from '../../components/button.tsx';
import { Field } from '../../components/field.tsx';
import { FileBrowserDialog } from '../../components/file-browser-dialog.tsx';

export function RestoreFolderField(props: {
  label: string; value: string; onValue: (value: string) => void; error: string | null; note: string | null;
  hint?: string; placeholder: string; browseTitle: string; browseIntro: string;
  /** The chosen folder is where a folder of this name is made (a VM's folder goes inside the one picked). */
  inside?: string;
}) {
  const { label, value, onValue, error, note, hint, placeholder, browseTitle, browseIntro, inside } = props;
  const [browsing, setBrowsing] = useState(false);
  return (
    <>
      <Field label={label} hint={hint} error={error} note={note}>
        {({ inputId, describedBy, invalid }) => (
          <div className="input-with-button">
            <input
              id={inputId} className="input mono" value={value} placeholder={placeholder} spellCheck={false} autoComplete="off"
              aria-invalid={invalid || undefined} aria-describedby={describedBy}
              onChange={(event) => onValue(event.target.value)}
            />
            <Button onClick={() => setBrowsing(true)}>Browse…</Button>
          </div>
        )}
      </Field>
      {browsing ? (
        <FileBrowserDialog
          title={browseTitle}
          mode="folder"
          intro={browseIntro}
          chooseLabel="Use this folder"
          initialPath={value.trim() !== '' ? parentOf(value) : undefined}
          onClose={() => setBrowsing(false)}
          onChoose={(paths) => {
            setBrowsing(false);
            const chosen = paths[0];
            if (chosen) onValue(inside ? joinFolder(chosen, inside) : chosen);
          }}
        />
      ) : null}
    </>
  );
}

/** `name` inside `folder`, with the folder's own separator. */
function joinFolder(folder: string, name: string): string {
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(separator) ? `${folder}${name}` : `${folder}${separator}${name}`;
}

/** The folder above `path` (the browser opens there: the typed folder may not exist yet). */
function parentOf(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const at = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  return at <= 0 ? trimmed.slice(0, at + 1) || '/' : trimmed.slice(0, at);
}
