/**
 * Child process for the file browser's permission test: lists the folder named in argv[2]
 * and prints the result or the error as JSON. Run under another uid when the tests run as
 * root (root reads any folder, so only an unprivileged process meets "permission denied").
 */
import { listLocalFolder } from '../../electron/engine/local-files/local-folder-listing.ts';
import { LabvaultError } from '../../shared/errors.ts';

try {
  const folder = await listLocalFolder(process.argv[2] ?? '');
  process.stdout.write(JSON.stringify({ ok: true, value: folder }));
} catch (error) {
  const info = error instanceof LabvaultError ? error.toInfo() : { code: 'INTERNAL', message: String(error) };
  process.stdout.write(JSON.stringify({ ok: false, error: info }));
}
