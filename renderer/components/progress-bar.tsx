/** A determinate progress bar (or an indeterminate one when the total is unknown). */
export function ProgressBar({ done, total, tone = 'default', label }: { done: number; total: number | null | undefined; tone?: 'default' | 'ok' | 'danger'; label: string }) {
  const known = total !== null && total !== undefined && total > 0;
  const percent = known ? Math.min(100, Math.max(0, (done / total) * 100)) : 0;
  return (
    <div className={`progress progress-${tone}`} role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={known ? Math.round(percent) : undefined}>
      <div className={`progress-bar${known ? '' : ' is-indeterminate'}`} style={known ? { width: `${percent}%` } : undefined} />
    </div>
  );
}
