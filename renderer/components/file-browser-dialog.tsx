/**
 * The in-app file and folder browser: lists folders of the machine running Labvault through
 * the engine (localFiles.*), so it works in the browser host as in the desktop app, where
 * the system picker is offered as well. Breadcrumbs, Up, a path field (Enter to go), hidden
 * files on demand; choose one folder, or files (and folders) from one or more folders.
 */
import { useEffect, useState } from 'react';
import type { LocalEntry, LocalFolder } from '../../shared/contract/local-files-channels.ts';
import { api } from '../api/labvault-client.ts';
import { isUnsupported, shownError } from '../api/error-text.ts';
import { formatBytes } from '../format/format-bytes.ts';
import { formatDateTime } from '../format/format-time.ts';
import { useAppInfoStore } from '../stores/app-info-store.ts';
import { toastError } from '../stores/toast-store.ts';
import { AlertBanner } from './alert-banner.tsx';
import { Button } from './button.tsx';
import { Dialog } from './dialog.tsx';
import {
  entryKind, opensAsFolder, pathSegments, selectable, typedPathGuard, typedPathProblem, type FileBrowserMode,
} from './file-browser-model.ts';

export interface FileBrowserDialogProps {
  title: string;
  mode: FileBrowserMode;
  /** Where to start; the home folder of the user running Labvault when absent. */
  initialPath?: string | undefined;
  /** The primary button's label ("Scan this folder", "Add files"). */
  chooseLabel?: string;
  /** A line under the title saying what to pick. */
  intro?: string;
  onChoose: (paths: string[]) => void;
  onClose: () => void;
}

function EntryIcon({ entry }: { entry: LocalEntry }) {
  const folder = opensAsFolder(entry);
  return (
    <span className={`fb-icon${folder ? ' is-folder' : ''}${entry.type === 'symlink' ? ' is-link' : ''}`} aria-hidden="true">
      {folder ? '▰' : '▤'}
    </span>
  );
}

export function FileBrowserDialog(props: FileBrowserDialogProps) {
  const { title, mode, initialPath, chooseLabel, intro, onChoose, onClose } = props;
  const nativeDialogs = useAppInfoStore((state) => state.nativeDialogs);
  const [path, setPath] = useState<string | undefined>(initialPath);
  const [folder, setFolder] = useState<LocalFolder | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [showHidden, setShowHidden] = useState(false);
  const [typed, setTyped] = useState(initialPath ?? '');
  const [typedError, setTypedError] = useState<string | null>(null);
  const [selected, setSelected] = useState<Map<string, LocalEntry>>(new Map());
  /** Whether a listing may show its path in the field: never over what the user typed. */
  const [guard] = useState(typedPathGuard);

  useEffect(() => {
    let current = true;
    setLoading(true);
    api.localFiles.list({ ...(path !== undefined ? { path } : {}), showHidden }).then(
      (listed) => {
        if (!current) return;
        setFolder(listed);
        setLoadError(null);
        if (guard.listingMayReplace()) setTyped(listed.path);
        setLoading(false);
      },
      (error: unknown) => {
        if (!current) return;
        setLoadError(shownError(error).message);
        setLoading(false);
      },
    );
    return () => { current = false; };
  }, [path, showHidden, guard]);

  const shownPath = loadError && path !== undefined ? path : folder?.path;
  /** Opens a folder; `fromTyped`: the typed text asked for it (the field keeps that text). */
  const goTo = (next: string, fromTyped = false) => {
    if (fromTyped) guard.navigatedFromTyped();
    else guard.navigatedByClick();
    setTypedError(null);
    setPath(next);
  };

  const toggle = (entry: LocalEntry) => {
    if (!selectable(entry, mode)) return;
    setSelected((previous) => {
      const next = new Map(mode === 'folder' ? [] : previous);
      if (previous.has(entry.path)) next.delete(entry.path);
      else next.set(entry.path, entry);
      return next;
    });
  };

  const goTyped = async () => {
    const problem = typedPathProblem(typed);
    if (problem) {
      setTypedError(problem);
      return;
    }
    try {
      const entry = await api.localFiles.stat({ path: typed.trim() });
      if (opensAsFolder(entry)) {
        goTo(entry.path, true);
      } else if (selectable(entry, mode)) {
        const parent = pathSegments(entry.path).at(-2)?.path;
        if (parent) goTo(parent, true);
        setSelected((previous) => new Map(previous).set(entry.path, entry));
      } else {
        setTypedError(`${entry.path} is a file: choose a folder.`);
      }
    } catch (error) {
      setTypedError(shownError(error).message);
    }
  };

  const pickNative = async () => {
    try {
      const picked = mode === 'folder'
        ? await api.dialogs.pickFolder({ title, ...(shownPath ? { defaultPath: shownPath } : {}) })
            .then((result) => (result.path ? [result.path] : []))
        : await api.dialogs.pickFiles({ title }).then((result) => result.paths);
      if (picked.length > 0) onChoose(picked);
    } catch (problem) {
      if (!isUnsupported(problem)) toastError('Could not open the system picker', problem);
    }
  };

  const chosen = mode === 'folder' && selected.size === 0 && folder && !loadError
    ? [folder.path]
    : [...selected.keys()];
  const hiddenNote = folder && !showHidden && folder.hiddenCount > 0
    ? ` · ${folder.hiddenCount} hidden` : '';

  return (
    <Dialog
      title={title}
      wide
      onClose={onClose}
      footer={(
        <>
          {nativeDialogs ? <Button variant="quiet" onClick={() => void pickNative()}>System picker…</Button> : null}
          <span className="fb-chosen" aria-live="polite">
            {mode === 'folder'
              ? (chosen[0] ? <>Folder: <span className="mono">{chosen[0]}</span></> : null)
              : `${selected.size} selected`}
          </span>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" disabled={chosen.length === 0} onClick={() => onChoose(chosen)}>
            {chooseLabel ?? (mode === 'folder' ? 'Choose folder' : 'Choose')}
          </Button>
        </>
      )}
    >
      {intro ? <p className="fb-intro">{intro}</p> : null}
      <div className="fb-pathbar">
        <Button small disabled={!folder?.parent || loading} aria-label="Up one folder"
          onClick={() => folder?.parent && goTo(folder.parent)}>↑ Up</Button>
        <input
          className="input mono"
          aria-label="Path to open"
          value={typed}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={typedError ? true : undefined}
          onChange={(event) => { guard.edited(); setTyped(event.target.value); setTypedError(null); }}
          onFocus={() => guard.focused(true)}
          onBlur={() => guard.focused(false)}
          onKeyDown={(event) => { if (event.key === 'Enter') { event.preventDefault(); void goTyped(); } }}
        />
        <Button small onClick={() => void goTyped()}>Go</Button>
      </div>
      {typedError ? <div className="field-error fb-typed-error" role="alert">{typedError}</div> : null}
      {shownPath ? (
        <nav className="fb-crumbs" aria-label="Folder path">
          {pathSegments(shownPath).map((segment, index, all) => (
            <span key={segment.path} className={index === 0 ? 'fb-root' : undefined}>
              {index === all.length - 1
                ? <strong>{segment.label}</strong>
                : <button type="button" className="crumb-link" onClick={() => goTo(segment.path)}>{segment.label}</button>}
              {index > 0 && index < all.length - 1 ? <span className="crumb-sep" aria-hidden="true">/</span> : null}
            </span>
          ))}
        </nav>
      ) : null}
      <div className="fb-toolbar">
        <label className="fb-hidden-toggle">
          <input type="checkbox" checked={showHidden} onChange={(event) => setShowHidden(event.target.checked)} />
          Show hidden files
        </label>
        <span className="muted small">
          {folder && !loadError ? `${folder.total} entr${folder.total === 1 ? 'y' : 'ies'}${hiddenNote}` : ''}
        </span>
      </div>
      {loadError ? <AlertBanner tone="danger" title="This folder cannot be listed.">{loadError}</AlertBanner> : null}
      {folder?.more && !loadError ? (
        <AlertBanner tone="info">
          Showing the first {folder.entries.length} of {folder.totalExact ? '' : 'more than '}{folder.total} entries.
          Type a path to go straight to what you need.
        </AlertBanner>
      ) : null}
      {folder && !loadError ? (
        <div className="fb-list" role="listbox" aria-label="Folder contents" aria-multiselectable={mode !== 'folder'}>
          {folder.entries.length === 0 ? <p className="muted fb-empty">This folder is empty.</p> : null}
          {folder.entries.map((entry) => {
            const canSelect = selectable(entry, mode);
            const isSelected = selected.has(entry.path);
            return (
              <div
                key={entry.path}
                role="option"
                aria-selected={isSelected}
                aria-disabled={!canSelect && !opensAsFolder(entry)}
                className={`fb-row${isSelected ? ' is-selected' : ''}${!canSelect && !opensAsFolder(entry) ? ' is-muted' : ''}`}
              >
                <input
                  type={mode === 'folder' ? 'radio' : 'checkbox'}
                  name="fb-choice"
                  aria-label={`Select ${entry.name}`}
                  disabled={!canSelect}
                  checked={isSelected}
                  onChange={() => toggle(entry)}
                />
                <EntryIcon entry={entry} />
                {opensAsFolder(entry)
                  ? <button type="button" className="fb-name crumb-link" onClick={() => goTo(entry.path)}>{entry.name}</button>
                  : <button type="button" className="fb-name fb-file" disabled={!canSelect} onClick={() => toggle(entry)}>{entry.name}</button>}
                <span className="fb-kind">{entry.type === 'symlink' || entry.type === 'other' ? entryKind(entry) : ''}</span>
                <span className="fb-size">{entry.type === 'file' ? formatBytes(entry.size) : ''}</span>
                <span className="fb-time">{formatDateTime(entry.mtime)}</span>
              </div>
            );
          })}
        </div>
      ) : null}
      {loading && !folder ? <p className="muted">Loading…</p> : null}
    </Dialog>
  );
}
