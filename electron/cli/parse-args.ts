/**
 * A small, strict argv parser: `--flag value`, `--flag=value`, boolean flags, `--no-x`.
 * Unknown-flag checking is done by each command with `expectFlags`.
 */
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';
import type { ParsedArgs } from './cli-command.ts';

/** Flags that never take a value. */
const BOOLEAN_FLAGS = new Set([
  'json', 'yes', 'wait', 'progress', 'read-data', 'dry-run', 'open', 'keep-data', 'delete-data',
  'encrypt', 'version', 'help', 'force', 'all', 'once', 'scheduler', 'confirm-plaintext-clones', 'guest',
  'register', 'flatten', 'drop-saved-state', 'resume', 'rollback', 'pending',
]);

export function parseArgs(argv: string[]): { group: string | undefined; args: ParsedArgs } {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  const repeated: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const word = argv[i] as string;
    if (word === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = eq === -1 ? word.slice(2) : word.slice(2, eq);
      if (eq !== -1) {
        flags[name] = word.slice(eq + 1);
        (repeated[name] ??= []).push(word.slice(eq + 1));
      } else if (name.startsWith('no-') && BOOLEAN_FLAGS.has(name.slice(3))) {
        flags[name.slice(3)] = false;
      } else if (BOOLEAN_FLAGS.has(name)) {
        flags[name] = true;
      } else {
        const value = argv[i + 1];
        if (value === undefined || (value.startsWith('--') && value.length > 2)) {
          throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Flag --${name} needs a value.`, { field: name });
        }
        flags[name] = value;
        (repeated[name] ??= []).push(value);
        i += 1;
      }
    } else {
      positionals.push(word);
    }
  }
  const group = positionals.shift();
  return { group, args: { positionals, flags, repeated } };
}

/** Refuses flags a command does not know, so typos never pass silently. */
export function expectFlags(args: ParsedArgs, allowed: string[]): void {
  const known = new Set([...allowed, 'json', 'help']);
  for (const name of Object.keys(args.flags)) {
    if (!known.has(name)) {
      throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown flag --${name}.`, { field: name });
    }
  }
}

export function stringFlag(args: ParsedArgs, name: string, required: true): string;
export function stringFlag(args: ParsedArgs, name: string, required?: false): string | undefined;
export function stringFlag(args: ParsedArgs, name: string, required = false): string | undefined {
  const value = args.flags[name];
  if (value === undefined) {
    if (required) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Missing required flag --${name}.`, { field: name });
    return undefined;
  }
  if (typeof value !== 'string') throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Flag --${name} needs a value.`, { field: name });
  return value;
}

/** Every value of a flag that may be repeated (`--path a --path b`), in order; [] when absent. */
export function stringFlags(args: ParsedArgs, name: string): string[] {
  const values = args.repeated?.[name];
  if (values !== undefined) return values;
  const single = stringFlag(args, name);
  return single === undefined ? [] : [single];
}

export function integerFlag(args: ParsedArgs, name: string): number | undefined {
  const value = stringFlag(args, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value.trim())) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Flag --${name} must be a whole number, got "${value}".`, { field: name });
  return Number.parseInt(value, 10);
}

export function booleanFlag(args: ParsedArgs, name: string): boolean {
  return args.flags[name] === true;
}

export function positional(args: ParsedArgs, index: number, label: string): string {
  const value = args.positionals[index];
  if (value === undefined || value === '') throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Missing ${label}.`, { field: label });
  return value;
}
