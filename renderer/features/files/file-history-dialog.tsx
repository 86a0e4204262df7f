/** Every point holding one file (files.history): size, time and digest per point, changed versions marked. */
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Badge } from '../../components/badge.tsx';
import { Button } from '../../components/button.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDateTime } from '../../format/format-time.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import type { VolumeChoice } from './point-files-model.ts';

export function FileHistoryDialog({ item, path, volume, onClose }: {
  item: string; path: string; volume: VolumeChoice; onClose: () => void;
}) {
  const history = useLoader(() => api.files.history({
    item, path, partition: volume.partition, ...(volume.disk === undefined ? {} : { disk: volume.disk }),
  }), [item, path, volume.key]);
  // Newest first, as the points table shows them; "changed" compares with the older point.
  const versions = history.data ? history.data.versions.slice().reverse() : [];
  const changes = versions.filter((version) => version.changed).length;
  return (
    <Dialog title={`History of ${path}`} wide onClose={onClose} footer={<Button onClick={onClose}>Close</Button>}>
      <p className="fb-intro">Every recovery point that holds this file, with its size, time and content digest. A row marked Changed differs from the older point below it.</p>
      {history.error ? <AlertBanner tone="danger" title="The history could not be read.">{history.error}</AlertBanner> : null}
      {history.loading && !history.data ? <p className="muted">Reading every point…</p> : null}
      {history.data ? (
        <>
          <p className="small muted" aria-live="polite">
            {versions.length} point{versions.length === 1 ? '' : 's'} hold it · {changes === 0 ? 'never changed' : `changed ${changes} time${changes === 1 ? '' : 's'}`}
          </p>
          <table className="table history-table" aria-label="File history">
            <thead><tr><th>Point</th><th>Size</th><th>Modified</th><th>SHA-256</th></tr></thead>
            <tbody>
              {versions.map((version) => (
                <tr key={version.point} className={version.changed ? 'is-changed' : undefined}>
                  <td title={`Point ${version.point}`}>
                    {formatDateTime(version.createdAt)} {version.changed ? <Badge tone="accent">Changed</Badge> : null}
                  </td>
                  <td className="num">{version.type === 'file' ? formatBytes(version.size) : version.type}</td>
                  <td>{formatDateTime(version.mtime)}</td>
                  <td className="mono small" title={version.sha256}>{version.sha256 ? `${version.sha256.slice(0, 12)}…` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {history.data.skipped.length > 0 ? (
            <details className="history-skipped">
              <summary>{history.data.skipped.length} point{history.data.skipped.length === 1 ? '' : 's'} without this file</summary>
              <ul>
                {history.data.skipped.map((skip) => (
                  <li key={skip.point}>{formatDateTime(skip.createdAt)}: {skip.reason}</li>
                ))}
              </ul>
            </details>
          ) : null}
        </>
      ) : null}
    </Dialog>
  );
}
