/** Guest paths: absolute, '/'-separated, as every guest filesystem reader takes them. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

/** The components of an absolute guest path ("/etc/hosts" -> ["etc", "hosts"]); a relative path is INVALID_INPUT. */
export function pathComponents(path: string): string[] {
  if (!path.startsWith('/')) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Guest paths are absolute ("/etc/hosts"), not ${JSON.stringify(path)}.`, { field: 'path' });
  }
  return path.split('/').filter((part) => part !== '' && part !== '.');
}
