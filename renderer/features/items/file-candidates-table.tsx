/** What the engine found in the files the user listed: role, format by content, size, problems. */
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import { Badge } from '../../components/badge.tsx';
import { Table } from '../../components/table.tsx';
import { formatBytes } from '../../format/format-bytes.ts';

const ROLE_LABEL = { config: 'Configuration', disk: 'Disk image', nvram: 'Firmware / NVRAM', other: 'Other' } as const;

export function FileCandidatesTable({ candidates }: { candidates: readonly FileCandidate[] }) {
  return (
    <div className="inspect-table">
      <Table
        label="Inspected files"
        rows={candidates}
        rowKey={(candidate) => candidate.path}
        columns={[
          { key: 'path', header: 'File', render: (candidate) => <><div className="mono small">{candidate.path}</div>{candidate.addedAsParentOf ? <div className="cell-sub">Added: parent image of {candidate.addedAsParentOf}</div> : null}</> },
          { key: 'role', header: 'Role', render: (candidate) => ROLE_LABEL[candidate.role] },
          { key: 'format', header: 'Format', render: (candidate) => (candidate.diskFormat ? <Badge tone="info">{candidate.diskFormat}</Badge> : <span className="muted">—</span>) },
          { key: 'size', header: 'Size', align: 'right', render: (candidate) => <>{formatBytes(candidate.size)}{candidate.virtualSize !== undefined ? <div className="cell-sub">virtual {formatBytes(candidate.virtualSize)}</div> : null}</> },
          { key: 'check', header: 'Check', render: (candidate) => (candidate.ok ? <Badge tone="ok">OK</Badge> : <span className="field-error">{candidate.problem ?? 'Cannot be protected.'}</span>) },
        ]}
      />
    </div>
  );
}
