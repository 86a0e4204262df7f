/**
 * Copies the screenshots the user guide shows from test/e2e/screenshots (written by the
 * e2e run) into build/docs/screenshots (committed), refusing any over 200 KB.
 * Run after `npm run test:e2e`: node test/e2e/doc-screenshots.ts
 * After one spec, copy only its pictures by name prefix: node test/e2e/doc-screenshots.ts walkthrough-
 */
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FROM = join(ROOT, 'test', 'e2e', 'screenshots');
const TO = join(ROOT, 'build', 'docs', 'screenshots');
const MAX_BYTES = 200 * 1024;

export const DOC_SCREENSHOTS = [
  'dashboard',
  'dashboard-empty',
  'items-list',
  'policy-4-retention',
  'vaults-list',
  'create-vault-1-basics-invalid-name',
  'create-vault-2-settings-encryption',
  'create-vault-3-review',
  'vault-details',
  'vault-lock-immutability',
  'protect-2-files',
  'protect-4-review',
  'backup-now-dialog',
  'job-details-backup',
  'item-details',
  'stop-protection-delete',
  'restore-2-point',
  'restore-5-done',
  'policy-1-schedule',
  'policy-5-preview-dst',
  'jobs-list',
  'items-needs-confirmation',
  'item-confirm-files-dialog',
  'vault-immutability-remembered',
  'configure-backup-1-vault',
  'configure-backup-2-policy',
  'configure-backup-3-scan-folder',
  'configure-backup-3-select-vms',
  'configure-backup-3-select-vms-protected',
  'configure-backup-4-review',
  'configure-backup-5-enabled',
  'configure-backup-5-partial-failure',
  'configure-backup-6-backup-now',
  'file-browser-dialog',
  'items-list-vms',
  'item-change-files',
  'dashboard-vms',
  'walkthrough-1-empty',
  'walkthrough-2-vault-wrong-name',
  'walkthrough-3-vaults',
  'walkthrough-4-protect-files',
  'walkthrough-5-job',
  'walkthrough-6-item',
  'walkthrough-7-restored',
  'walkthrough-8-policy-weekday-error',
  'walkthrough-9-vault-storage',
  'walkthrough-10-dashboard',
  'item-points-test-restore',
  'item-points-test-restore-failed',
  'point-files-browse',
  'point-files-download',
  'point-files-history',
  'point-files-volumes',
  'job-details-test-restore',
  'restore-vm-2-point-compare',
  'restore-vm-3-what',
  'restore-vm-4-options',
  'restore-vm-4-folder-browser',
  'restore-vm-5-review',
  'restore-vm-7-done',
  'restore-replace-4-vm-saved',
  'restore-replace-4-options',
  'restore-replace-5-review',
  'restore-replace-6-progress',
  'restore-replace-7-done',
] as const;

const onlyPrefix = process.argv[2];

mkdirSync(TO, { recursive: true });
let failed = false;
for (const name of DOC_SCREENSHOTS.filter((entry) => !onlyPrefix || entry.startsWith(onlyPrefix))) {
  const source = join(FROM, `${name}.png`);
  if (!existsSync(source)) {
    console.error(`missing ${source}: run the e2e tests first`);
    failed = true;
    continue;
  }
  const size = statSync(source).size;
  if (size > MAX_BYTES) {
    console.error(`${name}.png is ${Math.round(size / 1024)} KB, over the 200 KB limit`);
    failed = true;
    continue;
  }
  copyFileSync(source, join(TO, `${name}.png`));
  console.log(`${name}.png ${Math.round(size / 1024)} KB`);
}
process.exit(failed ? 1 : 0);
