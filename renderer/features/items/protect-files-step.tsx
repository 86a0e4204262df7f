/**
 * Step 2: the VM's files. A native multi-file picker in the desktop app; in the browser,
 * one path per line. The engine inspects them: readable, format by content, already
 * protected elsewhere, soft-deleted.
 */
import { useState } from 'react';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { Field } from '../../components/field.tsx';
import { FileBrowserDialog } from '../../components/file-browser-dialog.tsx';
import { FileCandidatesTable } from './file-candidates-table.tsx';
import { candidatesOk, pathsOf, type ProtectDraft } from './protect-steps.ts';
import type { FileCandidate } from '../../../shared/contract/item-models.ts';

export interface ProtectFilesProps {
  draft: ProtectDraft;
  update: (change: Partial<ProtectDraft>) => void;
  candidates: FileCandidate[] | null;
  inspecting: boolean;
  error: string | null;
  onInspect: () => void;
}

export function ProtectFilesStep({ draft, update, candidates, inspecting, error, onInspect }: ProtectFilesProps) {
  const [browsing, setBrowsing] = useState(false);
  const add = (paths: string[]) => {
    setBrowsing(false);
    if (paths.length > 0) update({ pathsText: [...pathsOf(draft.pathsText), ...paths].join('\n') });
  };
  const count = pathsOf(draft.pathsText).length;
  return (
    <div>
      <h2>The VM's files</h2>
      <p className="step-intro">List the configuration file (.vbox, .vmx, domain XML) and every disk image. Parent images of differencing disks are added automatically. Formats are detected by content, not by name.</p>
      <Field label="Files, one path per line" hint="Use Browse to pick files on the machine running Labvault, or type full paths.">
        {({ inputId, describedBy }) => (
          <textarea
            id={inputId}
            className="textarea file-lines"
            value={draft.pathsText}
            aria-describedby={describedBy}
            spellCheck={false}
            placeholder={'/srv/vms/web-01/web-01.vbox\n/srv/vms/web-01/web-01.vdi'}
            onChange={(event) => update({ pathsText: event.target.value })}
          />
        )}
      </Field>
      <div className="row">
        <Button onClick={() => setBrowsing(true)}>Browse…</Button>
        <Button variant={candidates ? 'secondary' : 'primary'} busy={inspecting} disabled={count === 0} onClick={onInspect}>Check {count > 0 ? `${count} file${count === 1 ? '' : 's'}` : 'files'}</Button>
        {candidates && candidatesOk(candidates) ? <span className="field-note">All files can be protected.</span> : null}
      </div>
      {error ? <div className="spaced"><AlertBanner tone="danger" title="The files could not be checked.">{error}</AlertBanner></div> : null}
      {candidates ? (
        <div className="spaced">
          {!candidatesOk(candidates) ? <AlertBanner tone="warn" title="Some files cannot be protected.">Fix or remove them from the list, then check again.</AlertBanner> : null}
          <FileCandidatesTable candidates={candidates} />
        </div>
      ) : null}
      {browsing ? (
        <FileBrowserDialog
          title="Choose the VM configuration and disk images"
          mode="files"
          chooseLabel="Add files"
          onClose={() => setBrowsing(false)}
          onChoose={add}
        />
      ) : null}
    </div>
  );
}
