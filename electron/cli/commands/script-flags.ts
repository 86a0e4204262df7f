/** The --pre-script / --post-script / --script-timeout flags of `protect` and `item update`. */
import { resolve } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ParsedArgs } from '../cli-command.ts';
import { integerFlag, stringFlag } from '../parse-args.ts';

export const SCRIPT_FLAGS = ['pre-script', 'post-script', 'script-timeout'];

/** The channel fields of the flags given; '' removes a script; a relative path is taken from the working folder. */
export function scriptFlags(args: ParsedArgs): { preScript?: string; postScript?: string; scriptTimeoutSec?: number } {
  const pre = stringFlag(args, 'pre-script');
  const post = stringFlag(args, 'post-script');
  const timeout = integerFlag(args, 'script-timeout');
  if (timeout !== undefined && timeout < 1) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--script-timeout must be at least 1 second, got ${timeout}.`, { field: 'script-timeout' });
  }
  return {
    ...(pre !== undefined ? { preScript: pre === '' ? '' : resolve(pre) } : {}),
    ...(post !== undefined ? { postScript: post === '' ? '' : resolve(post) } : {}),
    ...(timeout !== undefined ? { scriptTimeoutSec: timeout } : {}),
  };
}
