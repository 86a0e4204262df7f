/** Turns anything thrown by the client into what the UI shows. */
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';

export interface ShownError {
  message: string;
  field: string | undefined;
  code: string;
}

export function shownError(error: unknown): ShownError {
  if (error instanceof LabvaultError) return { message: error.message, field: error.field, code: error.code };
  if (error instanceof Error) return { message: error.message, field: undefined, code: 'INTERNAL' };
  return { message: String(error), field: undefined, code: 'INTERNAL' };
}

export function isUnsupported(error: unknown): boolean {
  return error instanceof LabvaultError && error.code === ErrorCodes.UNSUPPORTED;
}
