/** Turns Node's errno errors into LabvaultErrors with a code and a message a user can act on. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

export function ioError(error: unknown, path: string, action: string): LabvaultError {
  if (error instanceof LabvaultError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new LabvaultError(ErrorCodes.DISK_FULL, `The disk holding ${path} is full; could not ${action} it. Free some space and try again.`, { details: { path }, cause: error });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new LabvaultError(ErrorCodes.IO_ERROR, `Permission denied: could not ${action} ${path}${code === 'EROFS' ? ' (read-only filesystem)' : ''}.`, { details: { path, errno: code }, cause: error });
    case 'ENOENT':
      return new LabvaultError(ErrorCodes.NOT_FOUND, `${path} does not exist; could not ${action} it.`, { details: { path }, cause: error });
    default:
      return new LabvaultError(ErrorCodes.IO_ERROR, `Could not ${action} ${path}: ${reason}`, { details: { path, errno: code }, cause: error });
  }
}
