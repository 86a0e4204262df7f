/** Step 4: what will be protected, where and how, plus the command line. */
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { formatBytes } from '../../format/format-bytes.ts';
import { protectCli, type ProtectDraft } from './protect-steps.ts';

export function ProtectReviewStep({ draft, files, candidates, error }: {
  draft: ProtectDraft; files: readonly string[]; candidates: readonly FileCandidate[]; error: string | null;
}) {
  const total = candidates.reduce((sum, candidate) => sum + candidate.size, 0);
  return (
    <div className="form-wide">
      <h2>Review</h2>
      <p className="step-intro">Enabling backup binds the policy. The first backup runs on the schedule, or at once with "Backup now".</p>
      {error ? <AlertBanner tone="danger" title="Backup was not enabled.">{error}</AlertBanner> : null}
      <dl className="review">
        <dt>Item</dt><dd>{draft.name}</dd>
        <dt>Vault</dt><dd>{draft.vault}</dd>
        <dt>Policy</dt><dd>{draft.policy}</dd>
        <dt>Files</dt><dd>{files.map((file) => <div key={file} className="mono small">{file}</div>)}<div className="muted small">{files.length} files, {formatBytes(total)} on disk</div></dd>
      </dl>
      <CliEquivalent command={protectCli(draft, files)} />
    </div>
  );
}
