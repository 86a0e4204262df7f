/**
 * Collects the findings of an image check (shared by the VMDK and VDI checkers): at most
 * MAX_FINDINGS_PER_KIND findings of one kind are kept, the rest are counted and summed up
 * in one closing finding, so a badly damaged image never makes a huge report. Also turns a
 * thrown LabvaultError into a finding, so checkers never throw on damage.
 */
import { isLabvaultError } from '../../../shared/errors.ts';
import type { CheckFinding, CheckResult, DiskFormat } from './virtual-disk.ts';

export const MAX_FINDINGS_PER_KIND = 50;

export class CheckFindingList {
  readonly findings: CheckFinding[] = [];
  private readonly counts = new Map<string, number>();

  add(severity: CheckFinding['severity'], kind: string, message: string): void {
    const count = (this.counts.get(kind) ?? 0) + 1;
    this.counts.set(kind, count);
    if (count <= MAX_FINDINGS_PER_KIND) this.findings.push({ severity, kind, message });
  }

  /** Records a thrown error as a finding; `kind` is used unless the error says truncated. */
  addError(error: unknown, kind: string): void {
    const message = error instanceof Error ? error.message : String(error);
    const truncated = isLabvaultError(error) && error.details?.['reason'] === 'truncated';
    const notFound = isLabvaultError(error) && error.code === 'NOT_FOUND';
    this.add('corruption', truncated ? 'truncated' : notFound ? 'missing-file' : kind, message);
  }

  count(kind: string): number {
    return this.counts.get(kind) ?? 0;
  }

  result(format: DiskFormat | 'unknown', path: string): CheckResult {
    const findings = [...this.findings];
    for (const [kind, count] of this.counts) {
      if (count > MAX_FINDINGS_PER_KIND) {
        const severity = this.findings.find((finding) => finding.kind === kind)?.severity ?? 'corruption';
        findings.push({ severity, kind, message: `${count - MAX_FINDINGS_PER_KIND} more "${kind}" findings not listed` });
      }
    }
    const clean = !findings.some((finding) => finding.severity === 'corruption' || finding.severity === 'leak');
    return { format, path, clean, findings };
  }
}
