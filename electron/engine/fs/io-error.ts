/**
 * Turns Node's errno errors into LabvaultErrors with a stable code and a message a user can
 * act on, naming the file: the one builder every engine module uses for file-system errors.
 * `action` is what was being done, read after "could not" ("read", "open the image",
 * "write 512 bytes at offset 0"). A LabvaultError passes through unchanged.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';

export function ioError(path: string, action: string, cause: unknown): LabvaultError {
  if (cause instanceof LabvaultError) return cause;
  const errno = (cause as NodeJS.ErrnoException | null | undefined)?.code;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const details = { path, errno };
  switch (errno) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new LabvaultError(ErrorCodes.DISK_FULL,
        `The disk holding ${path} is full (could not ${action}). Free some space and try again.`, { details, cause });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS': {
      const readOnly = errno === 'EROFS' ? ', read-only filesystem' : '';
      return new LabvaultError(ErrorCodes.IO_ERROR,
        `Permission denied on ${path}${readOnly} (could not ${action}).`, { details, cause });
    }
    case 'ENOENT':
      return new LabvaultError(ErrorCodes.NOT_FOUND,
        `${path} does not exist (could not ${action}).`, { details, cause });
    default:
      return new LabvaultError(ErrorCodes.IO_ERROR, `Could not ${action} (${path}): ${reason}`, { details, cause });
  }
}
