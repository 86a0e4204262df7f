/** Jobs: every backup, restore and maintenance run, filtered, with live progress. */
import { useMemo, useState } from 'react';
import type { Job, JobOperation, JobStatus } from '../../../shared/contract/item-models.ts';
import { JobOperationSchema, JobStatusSchema } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Card } from '../../components/card.tsx';
import { EmptyState } from '../../components/empty-state.tsx';
import { Field } from '../../components/field.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { Table, type Column } from '../../components/table.tsx';
import { formatDateTime, formatDuration, secondsBetween } from '../../format/format-time.ts';
import { MS_PER_HOUR } from '../../../shared/time-units.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { useJobProgressStore } from '../../stores/job-progress-store.ts';
import { navigate } from '../../stores/route-store.ts';
import { JobStatusBadge } from '../items/item-badges.tsx';
import { JobLiveProgress } from './job-live-progress.tsx';

const RANGES = { '': 'Any time', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' } as const;
type Range = keyof typeof RANGES;
const RANGE_HOURS: Record<Exclude<Range, ''>, number> = { '24h': 24, '7d': 24 * 7, '30d': 24 * 30 };
const STATUS_LABEL: Record<JobStatus, string> = { queued: 'Queued', 'in-progress': 'In progress', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled', skipped: 'Skipped' };
const JOB_LIST_LIMIT = 2000;

const columns: Array<Column<Job>> = [
  { key: 'operation', header: 'Operation', render: (job) => <><div className="cell-title">{job.operation.charAt(0).toUpperCase() + job.operation.slice(1)}</div><div className="cell-sub">{job.trigger}</div></> },
  { key: 'item', header: 'Item', render: (job) => job.item ?? <span className="muted">—</span> },
  { key: 'vault', header: 'Vault', render: (job) => job.vaultName },
  { key: 'status', header: 'Status', render: (job) => <><JobStatusBadge status={job.status} />{job.status === 'in-progress' ? <JobLiveProgress job={job} compact /> : null}</> },
  { key: 'started', header: 'Started', render: (job) => formatDateTime(job.startedAt) },
  { key: 'duration', header: 'Duration', align: 'right', render: (job) => formatDuration(secondsBetween(job.startedAt, job.endedAt)) },
];

export function JobsPage() {
  const [status, setStatus] = useState<JobStatus | ''>('');
  const [operation, setOperation] = useState<JobOperation | ''>('');
  const [item, setItem] = useState('');
  const [range, setRange] = useState<Range>('');
  const revision = useJobProgressStore((state) => state.revision);
  const from = useMemo(() => (range === '' ? undefined : new Date(Date.now() - RANGE_HOURS[range] * MS_PER_HOUR).toISOString()), [range, revision]);
  const items = useLoader(() => api.items.list({}), []);
  const jobs = useLoader(
    () => api.jobs.list({
      limit: JOB_LIST_LIMIT, ...(status ? { status } : {}), ...(operation ? { operation } : {}),
      ...(item ? { item } : {}), ...(from ? { from } : {}),
    }),
    [status, operation, item, from, revision],
  );
  return (
    <div>
      <PageHeader title="Jobs" description="Backups run in phases (Snapshot, Transfer data to vault, then a Test restore of the new point when its policy has it on); restores verify every byte they write. Progress updates live." />
      <div className="filters">
        <Field label="Status">
          {({ inputId }) => (
            <select id={inputId} className="select" value={status} onChange={(event) => setStatus(event.target.value as JobStatus | '')}>
              <option value="">All</option>
              {JobStatusSchema.options.map((value) => <option key={value} value={value}>{STATUS_LABEL[value]}</option>)}
            </select>
          )}
        </Field>
        <Field label="Operation">
          {({ inputId }) => (
            <select id={inputId} className="select" value={operation} onChange={(event) => setOperation(event.target.value as JobOperation | '')}>
              <option value="">All</option>
              {JobOperationSchema.options.map((value) => <option key={value} value={value}>{value}</option>)}
            </select>
          )}
        </Field>
        <Field label="Item">
          {({ inputId }) => (
            <select id={inputId} className="select" value={item} onChange={(event) => setItem(event.target.value)}>
              <option value="">All items</option>
              {(items.data ?? []).map((entry) => (
                <option key={entry.id} value={entry.id}>{entry.name} ({entry.vaultName})</option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Time range">
          {({ inputId }) => (
            <select id={inputId} className="select" value={range} onChange={(event) => setRange(event.target.value as Range)}>
              {(Object.keys(RANGES) as Range[]).map((key) => <option key={key} value={key}>{RANGES[key]}</option>)}
            </select>
          )}
        </Field>
      </div>
      {jobs.error ? <AlertBanner tone="danger" title="Could not list jobs.">{jobs.error}</AlertBanner> : null}
      <Card>
        {jobs.data === undefined ? <p className="muted">{jobs.loading ? 'Loading…' : 'No data.'}</p> : (
          <Table
            label="Jobs"
            columns={columns}
            rows={jobs.data}
            rowKey={(job) => job.id}
            onRowClick={(job) => navigate({ page: 'job', id: job.id })}
            empty={<EmptyState title="No jobs match">Backups start on their policy's schedule or with "Backup now" on a protected item.</EmptyState>}
          />
        )}
      </Card>
    </div>
  );
}
