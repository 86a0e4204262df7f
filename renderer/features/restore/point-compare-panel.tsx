/** "Compare with another point": which files and disks differ between the chosen point and another (points.compare). */
import { useState } from 'react';
import type { Point } from '../../../shared/contract/item-models.ts';
import type { PointCompare, PointFileChange } from '../../../shared/contract/point-compare-channels.ts';
import { api } from '../../api/labvault-client.ts';
import { Badge, type BadgeTone } from '../../components/badge.tsx';
import { Field } from '../../components/field.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { formatDateTimeSeconds as formatDateTime } from '../../format/format-time.ts';
import { useLoader } from '../../hooks/use-loader.ts';

const CHANGE: Record<PointFileChange, { label: string; tone: BadgeTone }> = {
  same: { label: 'Unchanged', tone: 'neutral' },
  changed: { label: 'Changed', tone: 'warn' },
  added: { label: 'Added', tone: 'ok' },
  removed: { label: 'Not in the newer point', tone: 'danger' },
};

function changeLine(file: PointCompare['files'][number]): string {
  if (file.change === 'changed') {
    const sizes = file.from && file.to && file.from.size !== file.to.size ? `${formatBytes(file.from.size)} → ${formatBytes(file.to.size)}` : formatBytes(file.to?.size);
    return file.changedBytes !== undefined ? `${sizes} · ${formatBytes(file.changedBytes)} differ` : sizes;
  }
  return formatBytes((file.to ?? file.from)?.size);
}

export function PointComparePanel({ item, point, points }: { item: string; point: Point; points: readonly Point[] }) {
  const others = points.filter((entry) => entry.id !== point.id);
  const [other, setOther] = useState('');
  const chosen = others.find((entry) => entry.id === other);
  const [older, newer] = chosen && chosen.createdAt < point.createdAt ? [chosen, point] : [point, chosen];
  const compared = useLoader(
    () => (chosen && newer ? api.points.compare({ item, from: older.id, to: newer.id }) : Promise.resolve(null)),
    [item, older.id, newer?.id],
  );
  if (others.length === 0) return null;
  const changed = compared.data?.files.filter((file) => file.change !== 'same').length ?? 0;
  return (
    <section className="point-compare" aria-label="Compare points">
      <div className="form-narrow">
        <Field label="Compare with another point" hint="Shows which files and disks changed between the two.">
          {({ inputId, describedBy }) => (
            <select id={inputId} aria-describedby={describedBy} className="select" value={other} onChange={(event) => setOther(event.target.value)}>
              <option value="">Choose a point…</option>
              {others.map((entry) => (
                <option key={entry.id} value={entry.id}>{formatDateTime(entry.createdAt)}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      {chosen && newer ? (
        compared.data ? (
          <div className="table-wrap">
            <p className="small muted">
              From {formatDateTime(older.createdAt)} to {formatDateTime(newer.createdAt)}: {changed === 0 ? 'nothing changed.' : `${changed} of ${compared.data.files.length} files changed.`}
            </p>
            <table className="table" aria-label="Changes between the points">
              <thead><tr><th>File</th><th>Change</th><th>Size</th></tr></thead>
              <tbody>
                {compared.data.files.map((file) => (
                  <tr key={file.name}>
                    <td className="mono">{file.name}</td>
                    <td><Badge tone={CHANGE[file.change].tone}>{CHANGE[file.change].label}</Badge></td>
                    <td>{changeLine(file)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : <p className="small muted">{compared.error ?? 'Comparing…'}</p>
      ) : null}
    </section>
  );
}
