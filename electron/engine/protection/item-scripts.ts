/**
 * Setting an item's pre- and post-backup scripts. They are kept in this machine's trust file
 * (app/machine-trust.ts), never in the vault: a vault folder naming a script can never make
 * this machine run it. Only an item confirmed here can have scripts; a script must be an
 * absolute path to an executable regular file.
 */
import { access, constants, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ItemScripts } from '../../../shared/contract/item-models.ts';
import type { MachineTrust } from '../app/machine-trust.ts';
import type { ResolvedItem } from './protection-service.ts';

export const DEFAULT_SCRIPT_TIMEOUT_SEC = 300;
export const MAX_SCRIPT_TIMEOUT_SEC = 86_400;

export interface ScriptsChange {
  /** A path sets the script; null (or '') removes it; absent keeps it. */
  pre?: string | null | undefined;
  post?: string | null | undefined;
  timeoutSec?: number | undefined;
}

async function checkedScript(path: string, flag: string): Promise<string> {
  if (!isAbsolute(path)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `The ${flag} must be an absolute path, got "${path}".`, { field: flag });
  }
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `The ${flag} ${path} ${info ? 'is not a regular file' : 'does not exist'}.`, { field: flag });
  }
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `The ${flag} ${path} is not executable (chmod +x it).`, { field: flag });
  }
  return path;
}

export function isScriptsChange(change: ScriptsChange): boolean {
  return change.pre !== undefined || change.post !== undefined || change.timeoutSec !== undefined;
}

/** Checks the scripts and the timeout of a change (before an item is created with them). */
export async function checkScriptsChange(change: ScriptsChange): Promise<void> {
  const timeout = change.timeoutSec;
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_SCRIPT_TIMEOUT_SEC)) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--script-timeout must be 1 to ${MAX_SCRIPT_TIMEOUT_SEC} seconds, got ${timeout}.`, { field: 'script-timeout' });
  }
  if (typeof change.pre === 'string' && change.pre !== '') await checkedScript(change.pre, 'pre-script');
  if (typeof change.post === 'string' && change.post !== '') await checkedScript(change.post, 'post-script');
}

/** Applies the change on this machine; returns the scripts now set (undefined when none). */
export async function setItemScripts(trust: MachineTrust, resolved: ResolvedItem,
  change: ScriptsChange): Promise<ItemScripts | undefined> {
  const { session, record } = resolved;
  const entry = (await trust.vault(session.config.id))?.items[record.id];
  if (!entry) {
    throw new LabvaultError(ErrorCodes.RULE_VIOLATION,
      `Item "${record.name}" is not confirmed on this machine: confirm it first (labvault item confirm ${session.config.name}/${record.name}).`,
      { field: 'item' });
  }
  await checkScriptsChange(change);
  const timeout = change.timeoutSec;
  const next = { ...(entry.scripts ?? { timeoutSec: DEFAULT_SCRIPT_TIMEOUT_SEC }) };
  for (const [key, flag] of [['pre', 'pre-script'], ['post', 'post-script']] as const) {
    const value = change[key];
    if (value === undefined) continue;
    if (value === null || value === '') delete next[key];
    else next[key] = await checkedScript(value, flag);
  }
  if (timeout !== undefined) next.timeoutSec = timeout;
  const scripts = next.pre === undefined && next.post === undefined ? null : next;
  await trust.setItemScripts(session.config.id, record.id, scripts);
  return scripts ?? undefined;
}
