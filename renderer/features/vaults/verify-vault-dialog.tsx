/** Checks a vault's manifests, indexes and chunks (optionally every byte) and shows the report. */
import { useState } from 'react';
import type { VerifyReport } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import { shownError } from '../../api/error-text.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { shellQuote } from '../../format/cli-quote.ts';
import { plural } from '../../format/plural.ts';

export function VerifyVaultDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const [readData, setReadData] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await api.vaults.verify({ name, readData }));
    } catch (problem) {
      setError(shownError(problem).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={`Verify vault "${name}"`} onClose={onClose} wide footer={<><Button onClick={onClose}>Close</Button><Button variant="primary" busy={busy} onClick={() => void run()}>{report ? 'Verify again' : 'Verify'}</Button></>}>
      <p className="muted">Checks that every recovery point's manifest and index is intact and that every chunk they name is present.</p>
      <label className="check">
        <input type="checkbox" checked={readData} onChange={(event) => setReadData(event.target.checked)} />
        <span><span className="check-title">Also read every byte</span><span className="check-text"> Decompresses every chunk and checks its digest. Slower: reads the whole vault.</span></span>
      </label>
      {error ? <AlertBanner tone="danger" title="Verify did not run.">{error}</AlertBanner> : null}
      {report ? (
        report.ok ? (
          <AlertBanner tone="ok" title="The vault is healthy.">{plural(report.manifestsChecked, 'recovery point')} and {plural(report.chunksChecked, 'chunk')} checked{report.readData ? ', every byte read' : ''}.</AlertBanner>
        ) : (
          <AlertBanner tone="danger" title={`${plural(report.problems.length, 'problem')} found.`}>
            <ul className="plain-list">
              {report.problems.slice(0, 20).map((problem, index) => <li key={index}>{problem.message}</li>)}
            </ul>
            {report.affectedPoints.length > 0 ? <p>Affected points: {report.affectedPoints.map((point) => `${point.item} (${point.pointId})`).join(', ')}</p> : null}
          </AlertBanner>
        )
      ) : null}
      <CliEquivalent command={`labvault verify ${shellQuote(name)}${readData ? ' --read-data' : ''}`} />
    </Dialog>
  );
}
