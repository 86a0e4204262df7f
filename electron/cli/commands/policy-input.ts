/**
 * Reading what `labvault policy ...` is given: a policy file (validated with every
 * field-level error in the message), a points file, and which saved policy is meant
 * (--policy P, or the name as the first word after the subcommand).
 */
import { readFile } from 'node:fs/promises';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { validatePolicy, type Policy } from '../../../shared/policy.ts';
import { retentionDayErrors } from '../../../shared/policy-retention-rules.ts';
import type { ParsedArgs } from '../cli-command.ts';
import { stringFlag } from '../parse-args.ts';

/** Reads and JSON-parses a file named by a flag; errors name the flag and the file. */
export async function readJsonFile(path: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--${flag} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, { field: flag });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--${flag} ${path} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`, { field: flag });
  }
}

/**
 * The policy in --file, validated: every problem is listed as "field rule". Exit 2 when invalid.
 * `forSaving` (create, update) also lists retention weekdays the schedule never runs on.
 */
export async function readPolicyFile(
  args: ParsedArgs, forSaving = false,
): Promise<{ body: unknown; policy: Policy; path: string }> {
  const path = stringFlag(args, 'file', true);
  const body = await readJsonFile(path, 'file');
  const result = validatePolicy(body);
  const errors = result.ok ? (forSaving ? retentionDayErrors(result.policy) : []) : result.errors;
  if (!result.ok || errors.length > 0) {
    const first = errors[0] ?? { field: 'policy', message: 'is not valid' };
    const list = errors.map((error) => `${error.field} ${error.message}`).join('; ');
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${path}: ${list}.`, { field: first.field, details: { file: path, errors } });
  }
  return { body, policy: result.policy, path };
}

/** --policy P, else the first positional after the subcommand. */
export function policyName(args: ParsedArgs): string {
  const name = stringFlag(args, 'policy') ?? args.positionals[1];
  if (name === undefined || name === '') throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'Missing the policy: pass --policy NAME.', { field: 'policy' });
  return name;
}
