/**
 * The second way to protect a VM: files picked by hand, checked by the engine
 * (items.inspectFiles) and protected as one item named after its configuration file.
 */
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import { ITEM_NAME_MAX } from '../../../shared/item-rules.ts';
import { cliCommand, shellQuote } from '../../format/cli-quote.ts';

/** Paths to protect: what the user chose plus parent images found for differencing disks. */
export function filesToProtect(candidates: readonly FileCandidate[]): string[] {
  return [...new Set(candidates.map((candidate) => candidate.path))];
}

export function candidatesOk(candidates: readonly FileCandidate[] | null): boolean {
  return candidates !== null && candidates.length > 0 && candidates.every((candidate) => candidate.ok);
}

/** A name from the configuration file, else the first disk: "/vms/web-01/web-01.vbox" -> "web-01". */
export function suggestedItemName(candidates: readonly FileCandidate[]): string {
  const pick = candidates.find((candidate) => candidate.role === 'config')
    ?? candidates.find((candidate) => candidate.role === 'disk') ?? candidates[0];
  if (!pick) return '';
  const base = pick.path.split(/[\\/]/).pop() ?? '';
  return base.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, ITEM_NAME_MAX);
}

export function protectFilesCli(vault: string, name: string, policy: string, files: readonly string[]): string {
  return cliCommand([
    'labvault protect',
    `--vault ${shellQuote(vault)}`,
    `--name ${shellQuote(name)}`,
    policy ? `--policy ${shellQuote(policy)}` : null,
    ...files.map(shellQuote),
  ]);
}
