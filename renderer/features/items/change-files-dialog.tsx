/**
 * Change a protected item's files (a disk added, the VM moved) without stopping its
 * protection: choose the VM's configuration (a VM item) or the files (a files item), see
 * what would be added and removed, then save exactly what was shown.
 */
import { useState } from 'react';
import type { Item } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FileBrowserDialog } from '../../components/file-browser-dialog.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { plural } from '../../format/plural.ts';
import { toastSuccess } from '../../stores/toast-store.ts';

type FilesChange = Awaited<ReturnType<typeof api.items.updateFiles>>['change'];

/** What the dialog would send: the VM's configuration, or a list of files. */
type Choice = { kind: 'vm'; configPath: string } | { kind: 'files'; files: string[] };

function choiceInput(choice: Choice) {
  return choice.kind === 'vm' ? { vm: { configPath: choice.configPath } } : { files: choice.files };
}

function choiceCli(item: Item, choice: Choice): string {
  const what = choice.kind === 'vm' ? `--vm ${shellQuote(choice.configPath)}` : choice.files.map(shellQuote).join(' ');
  return `labvault item update-files ${shellQuote(item.name)} ${what}`;
}

function ChangeList({ change }: { change: FilesChange }) {
  const nothing = change.added.length === 0 && change.removed.length === 0 && change.vmBefore === change.vmAfter;
  return (
    <div className="files-change" aria-label="Change to the item's files">
      {change.vmBefore !== change.vmAfter ? (
        <p>VM configuration: <span className="mono small">{change.vmBefore ?? 'none'}</span> → <span className="mono small">{change.vmAfter ?? 'none (these exact files)'}</span></p>
      ) : null}
      {change.added.length > 0 ? (
        <><div className="field-label">{plural(change.added.length, 'file')} added</div>
          <ul className="change-added">{change.added.map((path) => <li key={path} className="mono small">+ {path}</li>)}</ul></>
      ) : null}
      {change.removed.length > 0 ? (
        <><div className="field-label">{plural(change.removed.length, 'file')} no longer backed up</div>
          <ul className="change-removed">{change.removed.map((path) => <li key={path} className="mono small">− {path}</li>)}</ul></>
      ) : null}
      {nothing ? <p className="muted">No change: the item already backs up exactly these files.</p> : null}
      {change.notes.map((note) => <AlertBanner key={note} tone="info">{note}</AlertBanner>)}
    </div>
  );
}

export function ChangeFilesDialog({ item, onClose, onDone }: { item: Item; onClose: () => void; onDone: () => void }) {
  const [choice, setChoice] = useState<Choice | null>(null);
  const [change, setChange] = useState<FilesChange | null>(null);
  const [browsing, setBrowsing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const preview = async (next: Choice) => {
    setChoice(next);
    setChange(null);
    setError(null);
    setBusy(true);
    try {
      const result = await api.items.updateFiles({ item: item.id, ...choiceInput(next), dryRun: true });
      setChange(result.change);
    } catch (problem) {
      setError(shownError(problem).message);
    } finally {
      setBusy(false);
    }
  };

  const save = async () => {
    if (!choice) return;
    setBusy(true);
    setError(null);
    try {
      await api.items.updateFiles({ item: item.id, ...choiceInput(choice) });
      toastSuccess(`The files of "${item.name}" were changed; protection continues`);
      onDone();
      onClose();
    } catch (problem) {
      setError(shownError(problem).message);
      setBusy(false);
    }
  };

  const unchanged = change !== null && change.added.length === 0 && change.removed.length === 0
    && change.vmBefore === change.vmAfter;
  return (
    <Dialog
      title={`Change the files of "${item.name}"`}
      wide
      onClose={onClose}
      footer={<><Button onClick={onClose}>Cancel</Button><Button variant="primary" busy={busy} disabled={change === null || unchanged} onClick={() => void save()}>Save change</Button></>}
    >
      <p>
        {item.vm
          ? <>This item follows the VM configured in <span className="mono small">{item.vm.configPath}</span>: each backup re-reads it, so new disks and snapshot layers are picked up by themselves. If the VM moved, choose its configuration file where it is now.</>
          : <>This item backs up exactly the files it lists. Choose the files it should back up from now on
            (or a VM configuration, to follow that VM).</>}
        {' '}Protection continues; existing recovery points are kept.
      </p>
      <div className="row">
        {item.vm ? <Button onClick={() => item.vm && void preview({ kind: 'vm', configPath: item.vm.configPath })}>Re-read the VM's configuration</Button> : null}
        <Button onClick={() => setBrowsing(true)}>{item.vm ? 'Choose the configuration where it is now…' : 'Choose files…'}</Button>
      </div>
      {error ? <div className="spaced"><AlertBanner tone="danger" title="This change cannot be made.">{error}</AlertBanner></div> : null}
      {change ? <div className="spaced"><ChangeList change={change} /></div> : null}
      {choice ? <CliEquivalent command={choiceCli(item, choice)} /> : null}
      {browsing ? (
        <FileBrowserDialog
          title={item.vm ? "Choose the VM's configuration file" : "Choose the item's files"}
          mode="files"
          initialPath={item.vm ? item.vm.configPath.replace(/[\\/][^\\/]*$/, '') : undefined}
          chooseLabel={item.vm ? 'Use this configuration' : 'Use these files'}
          onClose={() => setBrowsing(false)}
          onChoose={(paths) => {
            setBrowsing(false);
            const [first] = paths;
            if (item.vm && paths.length === 1 && first) void preview({ kind: 'vm', configPath: first });
            else if (paths.length > 0) void preview({ kind: 'files', files: paths });
          }}
        />
      ) : null}
    </Dialog>
  );
}
