/**
 * The files inside one recovery point's disks, read from the vault without restoring them:
 * a volume picker when the point has several, breadcrumbs, size and dates, search by name in
 * the open folder, multi-select, "Download to a folder" (files.get, one entry at a time for
 * progress, never overwriting) and a file's history across points.
 */
import { useEffect, useMemo, useState } from 'react';
import type { GuestEntryView } from '../../../shared/contract/guest-channels.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { FileBrowserDialog } from '../../components/file-browser-dialog.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { ProgressBar } from '../../components/progress-bar.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDateTime } from '../../format/format-time.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { navigate } from '../../stores/route-store.ts';
import { FileHistoryDialog } from './file-history-dialog.tsx';
import { childPath, defaultVolume, guestSegments, shownEntries, volumeChoices, type VolumeChoice } from './point-files-model.ts';
import { TestRestoreBadge } from './test-restore-badge.tsx';

interface Download {
  to: string;
  total: number;
  done: number;
  bytes: number;
  current: string | null;
  error: string | null;
  finished: boolean;
}

function EntryIcon({ entry }: { entry: GuestEntryView }) {
  return (
    <span className={`fb-icon${entry.type === 'dir' ? ' is-folder' : ''}${entry.type === 'symlink' ? ' is-link' : ''}`} aria-hidden="true">
      {entry.type === 'dir' ? '▰' : '▤'}
    </span>
  );
}

export function PointFilesPage({ item: itemRef, point: pointId }: { item: string; point: string }) {
  const item = useLoader(() => api.items.show({ item: itemRef }), [itemRef]);
  const point = useLoader(async () => (await api.points.list({ item: itemRef, includeDeleted: true }))
    .find((entry) => entry.id === pointId), [itemRef, pointId]);
  const parts = useLoader(() => api.files.parts({ item: itemRef, point: pointId }), [itemRef, pointId]);
  const choices = useMemo(() => (parts.data ? volumeChoices(parts.data) : []), [parts.data]);
  const [volumeKey, setVolumeKey] = useState<string | null>(null);
  const volume = choices.find((choice) => choice.key === volumeKey) ?? defaultVolume(choices);
  const [path, setPath] = useState('/');
  const [query, setQuery] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [picking, setPicking] = useState(false);
  const [download, setDownload] = useState<Download | null>(null);
  const [historyOf, setHistoryOf] = useState<string | null>(null);
  const listing = useLoader(async () => (volume
    ? api.files.list({
      item: itemRef, point: pointId, path, partition: volume.partition,
      ...(volume.disk === undefined ? {} : { disk: volume.disk }),
    })
    : undefined), [itemRef, pointId, path, volume?.key]);

  useEffect(() => { setSelected(new Set()); setQuery(''); }, [path, volume?.key]);

  const open = (next: string) => setPath(next);
  const chooseVolume = (key: string) => { setVolumeKey(key); setPath('/'); };
  const toggle = (name: string) => setSelected((previous) => {
    const next = new Set(previous);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    return next;
  });
  const entries = listing.data ? shownEntries(listing.data.entries, query) : [];
  const allShownSelected = entries.length > 0 && entries.every((entry) => selected.has(entry.name));

  const startDownload = async (to: string, chosen: VolumeChoice, names: string[]) => {
    const state: Download = { to, total: names.length, done: 0, bytes: 0, current: null, error: null, finished: false };
    setDownload({ ...state });
    for (const name of names) {
      state.current = name;
      setDownload({ ...state });
      try {
        const result = await api.files.get({
          item: itemRef, point: pointId, paths: [childPath(path, name)], to, partition: chosen.partition,
          ...(chosen.disk === undefined ? {} : { disk: chosen.disk }),
        });
        state.bytes += result.items.filter((entry) => entry.type === 'file' || entry.type === 'hardlink').reduce((sum, entry) => sum + entry.size, 0);
        state.to = result.to;
        state.done += 1;
      } catch (problem) {
        state.error = `${name}: ${shownError(problem).message}`;
        break;
      }
    }
    state.current = null;
    state.finished = true;
    setDownload({ ...state });
  };

  const itemName = item.data?.name ?? itemRef;
  const crumbs = [
    { label: 'Protected items', onClick: () => navigate({ page: 'items' }) },
    { label: itemName, onClick: () => navigate({ page: 'item', item: itemRef }) },
  ];
  const title = point.data ? `Files of the point of ${formatDateTime(point.data.createdAt)}` : 'Files of a recovery point';
  const busy = download !== null && !download.finished;
  return (
    <div>
      <PageHeader
        crumbs={crumbs}
        title={title}
        description={<>Read from the vault without restoring the disks · point <span className="mono">{pointId}</span>{point.data ? <> · test restore <TestRestoreBadge check={point.data.testRestore} /></> : null}</>}
        actions={<Button onClick={() => navigate({ page: 'item', item: itemRef })}>Back to the item</Button>}
      />
      {parts.error ? <AlertBanner tone="danger" title="The point's disks could not be read.">{parts.error}</AlertBanner> : null}
      {parts.data && choices.length > 0 && !volume ? (
        <AlertBanner tone="warn" title="No filesystem in this point can be read.">
          {choices.map((choice) => `${choice.title}: ${choice.reason ?? 'not readable'}`).join(' · ')}
        </AlertBanner>
      ) : null}
      {parts.data && choices.length > 1 ? (
        <div className="pf-volumes" role="radiogroup" aria-label="Partition or volume">
          {choices.map((choice) => (
            <label key={choice.key} className={`pf-volume${volume?.key === choice.key ? ' is-selected' : ''}${choice.readable ? '' : ' is-disabled'}`} title={choice.reason}>
              <input type="radio" name="pf-volume" disabled={!choice.readable} checked={volume?.key === choice.key} onChange={() => chooseVolume(choice.key)} />
              <span>{choice.title}{choice.readable ? null : <span className="cell-sub"> · {choice.reason ?? 'not readable'}</span>}</span>
            </label>
          ))}
        </div>
      ) : null}
      {volume ? (
        <div className="card pf-card">
          <nav className="fb-crumbs" aria-label="Folder path">
            {guestSegments(path).map((segment, index, all) => (
              <span key={segment.path} className={index === 0 ? 'fb-root' : undefined}>
                {index === all.length - 1
                  ? <strong>{segment.label}</strong>
                  : <button type="button" className="crumb-link" onClick={() => open(segment.path)}>{segment.label}</button>}
                {index > 0 && index < all.length - 1 ? <span className="crumb-sep" aria-hidden="true">/</span> : null}
              </span>
            ))}
          </nav>
          <div className="pf-toolbar">
            <Button small disabled={path === '/'} aria-label="Up one folder" onClick={() => open(guestSegments(path).at(-2)?.path ?? '/')}>↑ Up</Button>
            <input className="input pf-search" type="search" placeholder="Search names in this folder" aria-label="Search names in this folder"
              value={query} onChange={(event) => setQuery(event.target.value)} />
            <span className="muted small" aria-live="polite">
              {listing.data ? `${entries.length} of ${listing.data.entries.length} shown · ${selected.size} selected` : ''}
            </span>
            <Button variant="primary" disabled={selected.size === 0 || busy} onClick={() => setPicking(true)}>Download to a folder…</Button>
          </div>
          {listing.error ? <AlertBanner tone="danger" title="This folder cannot be listed.">{listing.error}</AlertBanner> : null}
          {listing.loading && !listing.data ? <p className="muted">Reading the folder from the vault…</p> : null}
          {listing.data ? (
            <div className="fb-list pf-list" role="listbox" aria-label="Folder contents" aria-multiselectable>
              <div className="fb-row pf-head" aria-hidden="true">
                <input type="checkbox" tabIndex={-1} checked={allShownSelected} onChange={() => setSelected(allShownSelected ? new Set() : new Set(entries.map((entry) => entry.name)))} />
                <span /><span>Name</span><span className="fb-size">Size</span><span className="fb-time">Modified</span><span />
              </div>
              {entries.length === 0 ? <p className="muted fb-empty">{query ? `No name in this folder holds "${query}".` : 'This folder is empty.'}</p> : null}
              {entries.map((entry) => {
                const isSelected = selected.has(entry.name);
                return (
                  <div key={entry.name} role="option" aria-selected={isSelected} className={`fb-row${isSelected ? ' is-selected' : ''}`}>
                    <input type="checkbox" aria-label={`Select ${entry.name}`} checked={isSelected} onChange={() => toggle(entry.name)} />
                    <EntryIcon entry={entry} />
                    {entry.type === 'dir'
                      ? <button type="button" className="fb-name crumb-link" onClick={() => open(childPath(path, entry.name))}>{entry.name}</button>
                      : <button type="button" className="fb-name fb-file" onClick={() => toggle(entry.name)}>{entry.name}{entry.target !== undefined ? <span className="cell-sub"> → {entry.target}</span> : null}</button>}
                    <span className="fb-size">{entry.type === 'dir' ? '' : formatBytes(entry.size)}</span>
                    <span className="fb-time">{formatDateTime(entry.mtime)}</span>
                    {entry.type === 'file'
                      ? <Button small variant="quiet" aria-label={`History of ${entry.name}`} onClick={() => setHistoryOf(childPath(path, entry.name))}>History</Button>
                      : <span />}
                  </div>
                );
              })}
            </div>
          ) : null}
          {listing.data ? (
            <p className="small muted pf-figures">
              Listed in {listing.data.elapsedMs} ms
              {listing.data.chunksRead === 0 ? ' from chunks already cached'
                : ` · ${listing.data.chunksRead} chunk${listing.data.chunksRead === 1 ? '' : 's'} read from the vault`}.
            </p>
          ) : null}
        </div>
      ) : null}
      {download ? (
        <div className="card pf-download" role="status" aria-label="Download">
          <ProgressBar done={download.done} total={download.total} tone={download.error ? 'danger' : download.finished ? 'ok' : 'default'} label="Download progress" />
          <p className="small">
            {download.error ? <span className="field-error">Stopped: {download.error}</span>
              : download.finished ? <>Downloaded {download.done} of {download.total} ({formatBytes(download.bytes)}) into <span className="mono">{download.to}</span>.</>
                : <>Downloading {download.current} ({download.done + 1} of {download.total}) into <span className="mono">{download.to}</span>…</>}
          </p>
        </div>
      ) : null}
      {picking && volume ? (
        <FileBrowserDialog
          title="Download to a folder"
          mode="folder"
          intro={`Choose the folder the ${selected.size} selected entr${selected.size === 1 ? 'y goes' : 'ies go'} into. Nothing there is overwritten; folders are written with their contents, times and modes.`}
          chooseLabel="Download here"
          onClose={() => setPicking(false)}
          onChoose={(paths) => {
            setPicking(false);
            const to = paths[0];
            if (to) void startDownload(to, volume, [...selected].sort());
          }}
        />
      ) : null}
      {historyOf && volume ? (
        <FileHistoryDialog item={itemRef} path={historyOf} volume={volume} onClose={() => setHistoryOf(null)} />
      ) : null}
    </div>
  );
}
