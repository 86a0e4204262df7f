/**
 * `verify`: structure (every manifest, index and referenced chunk present) or, with
 * readData, every chunk decompressed/decrypted and its digest checked. Damage raises a
 * critical alert naming the chunks and the points and files they affect.
 */
import type { VerifyReport } from '../../../shared/contract/item-models.ts';
import type { AlertService } from '../alerts/alert-service.ts';
import type { StoreSource } from './store-source.ts';
import { listItemRecords } from '../protection/item-catalog.ts';
import type { VaultSession } from './vault-session.ts';

/** What verification is given: the vault's store, and alerts to raise when it finds damage. */
export interface VerificationServices extends StoreSource {
  readonly alerts: Pick<AlertService, 'raise'>;
}

export async function verifyVault(
  services: VerificationServices, session: VaultSession, readData: boolean,
): Promise<VerifyReport> {
  const store = await services.keyring.store(session);
  const report = await store.verify({ readData });
  const names = new Map(listItemRecords(session).map((item) => [item.id, item.name]));
  const itemOf = (manifest?: string) => (manifest ? names.get(manifest.split('/')[0] ?? '') ?? manifest.split('/')[0] : undefined);
  const result: VerifyReport = {
    ok: report.ok,
    readData,
    manifestsChecked: report.manifestsChecked,
    chunksChecked: report.chunksChecked,
    problems: report.problems.map((problem) => ({
      kind: problem.kind,
      message: problem.message,
      ...(problem.chunkId ? { chunkId: problem.chunkId } : {}),
      ...(problem.manifest ? { pointId: problem.manifest.split('/')[1] ?? problem.manifest } : {}),
      ...(itemOf(problem.manifest) ? { item: itemOf(problem.manifest) as string } : {}),
      ...(problem.file ? { file: problem.file } : {}),
    })),
    affectedPoints: report.affectedPoints.map((point) => ({
      pointId: point.pointId, item: names.get(point.itemId) ?? point.itemId, files: point.files,
    })),
  };
  if (!result.ok) {
    const damaged = result.problems.filter((problem) => problem.chunkId).map((problem) => problem.chunkId).slice(0, 5);
    await services.alerts.raise(session, 'critical', 'Verification found damage',
      `Vault "${session.config.name}": ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}${damaged.length ? ` (chunks ${damaged.join(', ')})` : ''}; ${result.affectedPoints.length} recovery point${result.affectedPoints.length === 1 ? '' : 's'} affected: ${result.affectedPoints.map((point) => `${point.item}/${point.pointId}`).slice(0, 5).join(', ')}.`);
  }
  return result;
}
