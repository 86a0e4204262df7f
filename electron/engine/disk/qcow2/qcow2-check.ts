/**
 * qcow2 integrity check, after what `qemu-img check` finds. It never throws on a damaged
 * file: every problem becomes a finding.
 *
 * 1. The header must parse (bad magic, out-of-range fields -> corruption).
 * 2. Every cluster the metadata references is counted: header, L1 table, L2 tables, data
 *    clusters, compressed spans, refcount table and blocks, snapshot table and each
 *    snapshot's L1/L2 tables and data. References past the end of the file and
 *    misaligned offsets are corruptions.
 * 3. The stored refcounts are compared: stored < references is a corruption (two entries
 *    sharing a host cluster with refcount 1 is "overlapping-clusters"), stored >
 *    references is a leak.
 * 4. The copied flag of active L1/L2 entries must match refcount == 1; reserved bits of
 *    L1, L2 and refcount table entries must be clear.
 * Memory: one 16-bit counter per host cluster of the file (capped), tables read one by one.
 */
import { ImageFile } from '../image-file.ts';
import { readQcow2Header } from './qcow2-header.ts';
import { readQcow2Snapshots } from './qcow2-snapshots.ts';
import { Qcow2ReferenceCounter } from './qcow2-reference-counter.ts';
import type { CheckFinding, CheckResult } from '../virtual-disk.ts';
import type { Qcow2Header } from './qcow2-header.ts';

const CHECK_MAX_CLUSTERS = 2 ** 26;

function findingFromError(error: unknown): CheckFinding {
  const message = error instanceof Error ? error.message : String(error);
  const field = (error as { field?: string }).field ?? '';
  const code = (error as { code?: string }).code;
  if (code === 'UNSUPPORTED') return { severity: 'warning', kind: 'unsupported', message };
  const kind = field.endsWith('.magic') ? 'bad-magic' : /truncated|past the end/.test(message) ? 'offset-past-eof' : 'bad-header';
  return { severity: 'corruption', kind, message };
}

export async function checkQcow2(path: string): Promise<CheckResult> {
  const findings: CheckFinding[] = [];
  let file: ImageFile;
  try {
    file = await ImageFile.open(path);
  } catch (error) {
    return { format: 'qcow2', path, clean: false, findings: [findingFromError(error)] };
  }
  try {
    let header: Qcow2Header;
    try {
      header = await readQcow2Header(file);
    } catch (error) {
      const finding = findingFromError(error);
      return { format: 'qcow2', path, clean: finding.severity !== 'corruption', findings: [finding] };
    }
    if (header.corrupt) findings.push({ severity: 'corruption', kind: 'corrupt-bit', message: `${path}: the image is marked corrupt (incompatible feature bit 1)` });
    if (header.dirty) findings.push({ severity: 'warning', kind: 'dirty', message: `${path}: the image was not closed cleanly (dirty bit); refcounts may be stale` });
    const clusters = Math.ceil(file.size / header.clusterSize);
    if (clusters > CHECK_MAX_CLUSTERS) {
      findings.push({ severity: 'warning', kind: 'too-large-to-check', message: `${path}: ${clusters} host clusters is more than this check counts` });
      return { format: 'qcow2', path, clean: true, findings };
    }
    const counter = new Qcow2ReferenceCounter(file, header, clusters, findings);
    try {
      await counter.countImage(header.l1TableOffset, header.l1Size, 'active L1 table');
      const snapshots = await readQcow2Snapshots(file, header);
      for (const snapshot of snapshots) {
        await counter.countImage(snapshot.l1TableOffset, snapshot.l1Size, `snapshot '${snapshot.name}' L1 table`);
      }
      counter.countSnapshotTable(header.snapshotsOffset, snapshots);
      await counter.countRefcountStructures();
      await counter.compareRefcounts();
      await counter.checkCopiedFlags();
    } catch (error) {
      findings.push(findingFromError(error));
    }
    const clean = findings.every((finding) => finding.severity !== 'corruption');
    return { format: 'qcow2', path, clean, findings };
  } finally {
    await file.close().catch(() => undefined);
  }
}
