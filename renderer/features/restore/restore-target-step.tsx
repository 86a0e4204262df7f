/** Step 4: the folder to restore into: empty or new, so nothing is overwritten. */
import type { Point } from '../../../shared/contract/item-models.ts';
import type { PathCheck } from '../../../shared/contract/models.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { FolderInput } from '../../components/path-input.tsx';
import { formatDateTime } from '../../format/format-time.ts';
import { restoreCli, type RestoreDraft } from './restore-steps.ts';

export function RestoreTargetStep({ draft, point, update, check, error }: {
  draft: RestoreDraft; point: Point | undefined; update: (change: Partial<RestoreDraft>) => void;
  check: PathCheck | null; error: string | null;
}) {
  return (
    <div className="form-wide">
      <h2>Target folder</h2>
      <p className="step-intro">Files are written into this folder under their original names. It must be empty or new: a restore never overwrites anything.</p>
      {error ? <AlertBanner tone="danger" title="The restore did not start.">{error}</AlertBanner> : null}
      <div className="form-narrow">
        <FolderInput
          label="Restore into"
          value={draft.target}
          onValue={(target) => update({ target })}
          error={check && !check.ok ? check.message : null}
          note={check?.ok ? (check.message.startsWith('New folder') ? 'New folder: it will be created.' : 'Empty folder: files will be restored into it.') : null}
          placeholder="/srv/restore/web-01"
          pickerTitle="Choose an empty folder to restore into"
        />
      </div>
      <dl className="review">
        <dt>Item</dt><dd>{draft.itemName}</dd>
        <dt>Recovery point</dt><dd>{point ? formatDateTime(point.createdAt) : draft.pointId}</dd>
        <dt>Files</dt><dd>{draft.files.map((file) => <div key={file} className="mono small">{file}</div>)}</dd>
      </dl>
      <CliEquivalent command={restoreCli(draft)} />
    </div>
  );
}
