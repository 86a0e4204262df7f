/** Step 6: the whole policy, its JSON and command line, and (when changing one) the points it would remove. */
import { api } from '../../api/labvault-client.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { plural } from '../../format/plural.ts';
import { formatDateTime } from '../../format/format-time.ts';
import { useLoader } from '../../hooks/use-loader.ts';
import { draftToPolicy, draftType, type PolicyDraft } from './policy-draft.ts';
import { retentionSummary, scheduleSummary } from './policy-summary.ts';
import { POLICY_TYPE_LABEL } from './policy-type-words.ts';
import type { PolicyRetention, PolicySchedule } from '../../../shared/policy.ts';

export function PolicyReviewStep({ draft, vault, editing, error }: {
  draft: PolicyDraft; vault: string; editing: string | undefined; error: string | null;
}) {
  const policy = draftToPolicy(draft);
  const key = JSON.stringify(policy);
  const change = useLoader(
    () => (editing ? api.policies.previewChange({ vault, name: editing, policy }) : Promise.resolve(null)),
    [key, editing, vault],
  );
  const json = JSON.stringify(policy, null, 2);
  const command = editing
    ? `labvault policy update --vault ${shellQuote(vault)} ${shellQuote(editing)} --file policy.json`
    : `labvault policy create --vault ${shellQuote(vault)} --file policy.json`;
  return (
    <div className="form-wide">
      <h2>Review</h2>
      {error ? <AlertBanner tone="danger" title="The policy was not saved.">{error}</AlertBanner> : null}
      <dl className="review">
        <dt>Name</dt><dd>{draft.name}</dd>
        <dt>Vault</dt><dd>{vault}</dd>
        <dt>Type</dt><dd>{POLICY_TYPE_LABEL[draftType(draft)]}</dd>
        <dt>Schedule</dt><dd>{scheduleSummary(policy.schedule as PolicySchedule)} ({draft.timeZone})</dd>
        <dt>Fast restore copies</dt><dd>Kept on this disk for {draft.instantRestoreDays} days</dd>
        <dt>Test restore</dt><dd>{draft.testRestore ? 'After every backup' : 'Off'}</dd>
        <dt>Retention</dt><dd>{retentionSummary(policy.retention as PolicyRetention)}</dd>
      </dl>
      {editing ? (
        change.error ? <AlertBanner tone="danger" title="The change cannot be previewed.">{change.error}</AlertBanner>
          : change.data ? (
            change.data.refusal ? <AlertBanner tone="danger" title="This change is refused.">{change.data.refusal}</AlertBanner>
              : change.data.removed.length === 0 ? <AlertBanner tone="ok" title="No existing recovery point is removed by this change.">{plural(change.data.kept, 'point')} stay{change.data.kept === 1 ? 's' : ''}.</AlertBanner>
                : (
                  <AlertBanner tone="warn" title={`Saving removes ${plural(change.data.removed.length, 'recovery point')} (${change.data.kept} kept).`}>
                    <ul className="plain-list" data-testid="points-removed">
                      {change.data.removed.slice(0, 30).map((point) => (
                        <li key={point.pointId}>{point.item}: {formatDateTime(point.createdAt)} ({point.reason})</li>
                      ))}
                    </ul>
                    {change.data.removed.length > 30 ? <p>… and {change.data.removed.length - 30} more.</p> : null}
                  </AlertBanner>
                )
          ) : <p className="muted">Checking which points the change would remove…</p>
      ) : null}
      <CliEquivalent command={`cat > policy.json <<'EOF'\n${json}\nEOF\n${command}`} />
    </div>
  );
}
