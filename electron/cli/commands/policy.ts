/**
 * `labvault policy ...`: a vault's backup policies (create, list, show, update with a
 * preview of what the change removes, delete) and two pure previews that answer in JSON
 * exactly: next-runs (ISO instants) and preview (retention of a points file).
 * The saved policy is named by --policy P or by the first word after the subcommand.
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { parsePolicy, type Policy } from '../../../shared/policy.ts';
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, integerFlag, positional, stringFlag } from '../parse-args.ts';
import { policyName, readJsonFile, readPolicyFile } from './policy-input.ts';

const DEFAULT_RUN_COUNT = 10;
const MAX_RUN_COUNT = 500;

function printView(io: CliIo, view: PolicyView): void {
  io.out(`${view.name}${view.isDefault ? ' (default)' : ''}: ${view.type} policy`);
  io.out(JSON.stringify(view.body, null, 2));
  io.out(`Items: ${view.items.length > 0 ? view.items.join(', ') : 'none'}`);
  io.out(`Next runs: ${view.nextRuns.join(', ') || 'none'}`);
}

/** The policy a preview is about: --file, or a saved one (--vault with --policy); its body and its parsed form. */
async function previewedPolicy(args: ParsedArgs, io: CliIo): Promise<{ body: unknown; policy: Policy }> {
  if (stringFlag(args, 'file') !== undefined) return readPolicyFile(args);
  const view = await cliClient(io).policies.show({ vault: stringFlag(args, 'vault', true), name: policyName(args) });
  return { body: view.body, policy: parsePolicy(view.body, `policy ${view.name}`) };
}

async function create(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault', 'file']);
  const vault = stringFlag(args, 'vault', true);
  const { body } = await readPolicyFile(args, true);
  const view = await cliClient(io).policies.create({ vault, policy: body });
  if (booleanFlag(args, 'json')) printJson(io, view);
  else io.out(`Created ${view.type} policy "${view.name}" in vault "${vault}". Next runs: ${view.nextRuns.slice(0, 3).join(', ') || 'none'}.`);
  return 0;
}

async function list(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault']);
  const views = await cliClient(io).policies.list({ vault: stringFlag(args, 'vault', true) });
  if (booleanFlag(args, 'json')) printJson(io, views);
  else for (const view of views) io.out(`${view.name.padEnd(24)} ${view.type.padEnd(9)} ${String(view.items.length).padStart(3)} item(s)  next ${view.nextRuns[0] ?? 'never'}${view.isDefault ? '  (default)' : ''}`);
  return 0;
}

async function show(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault', 'policy']);
  const view = await cliClient(io).policies.show({ vault: stringFlag(args, 'vault', true), name: policyName(args) });
  if (booleanFlag(args, 'json')) printJson(io, view);
  else printView(io, view);
  return 0;
}

async function update(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault', 'policy', 'file', 'dry-run']);
  const vault = stringFlag(args, 'vault', true);
  const name = policyName(args);
  const dryRun = booleanFlag(args, 'dry-run');
  const json = booleanFlag(args, 'json');
  const { body } = await readPolicyFile(args, true);
  const handlers = cliClient(io).policies;
  const preview = await handlers.previewChange({ vault, name, policy: body });
  if (!json) {
    io.out(preview.removed.length === 0 ? 'This change removes no recovery point.' : `This change removes ${preview.removed.length} recovery point(s):`);
    for (const entry of preview.removed) io.out(`  ${entry.item} ${entry.pointId} (${entry.createdAt}): ${entry.reason}`);
    io.out(`${preview.kept} point(s) stay.`);
  }
  if (preview.refusal) throw new LabvaultError(ErrorCodes.RULE_VIOLATION, preview.refusal, { field: 'retention' });
  const view = dryRun ? null : await handlers.update({ vault, name, policy: body });
  if (json) printJson(io, { dryRun, removed: preview.removed, kept: preview.kept, policy: view });
  else io.out(dryRun ? 'Dry run: nothing was saved.' : `Saved policy "${view?.name ?? name}"; retention was applied to existing points.`);
  return 0;
}

async function remove(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault', 'policy']);
  const vault = stringFlag(args, 'vault', true);
  const name = policyName(args);
  await cliClient(io).policies.delete({ vault, name });
  if (booleanFlag(args, 'json')) printJson(io, { deleted: true, policy: name });
  else io.out(`Deleted policy "${name}" from vault "${vault}".`);
  return 0;
}

async function showNextRuns(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault', 'policy', 'file', 'from', 'count']);
  const { body, policy } = await previewedPolicy(args, io);
  const from = stringFlag(args, 'from');
  const count = integerFlag(args, 'count') ?? DEFAULT_RUN_COUNT;
  if (count < 1 || count > MAX_RUN_COUNT) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `--count must be between 1 and ${MAX_RUN_COUNT}, got ${count}.`, { field: 'count' });
  const runs = await cliClient(io).policies.nextRuns({ policy: body, ...(from !== undefined ? { from } : {}), count });
  if (booleanFlag(args, 'json')) {
    printJson(io, runs.map((run) => run.at));
    return 0;
  }
  for (const run of runs) io.out(`${run.at}  ${run.local} ${policy.timeZone}${run.dst ? `  (DST ${run.dst})` : ''}`);
  return 0;
}

async function showRetention(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['vault', 'policy', 'file', 'points', 'now']);
  const { body } = await previewedPolicy(args, io);
  const pointsPath = stringFlag(args, 'points', true);
  const points = await readJsonFile(pointsPath, 'points');
  const now = stringFlag(args, 'now');
  const decisions = await cliClient(io).policies.previewPoints({
    policy: body, points, ...(now !== undefined ? { now } : {}),
  });
  if (booleanFlag(args, 'json')) printJson(io, decisions);
  else for (const decision of decisions) io.out(`${decision.id}: ${decision.keep ? `kept until ${decision.until ?? 'forever'} (${decision.rules.join(', ')})` : `expired${decision.until ? ` at ${decision.until}` : ''}`}`);
  return 0;
}

const SUBCOMMANDS: Record<string, (args: ParsedArgs, io: CliIo) => Promise<number>> = {
  create, list, show, update, delete: remove, 'next-runs': showNextRuns, preview: showRetention,
};

export const policyCommand: CliCommandGroup = {
  name: 'policy',
  usage: [
    'policy create --vault V --file policy.json [--json]   field-level errors exit 2 (retention weekdays must be days'
      + ' the schedule runs; a policy that keeps no scheduled backup is refused)',
    'policy list --vault V [--json]',
    'policy show --vault V (--policy P | P) [--json]',
    'policy update --vault V (--policy P | P) --file policy.json [--dry-run] [--json]   shows what the change removes first',
    'policy delete --vault V (--policy P | P)         never DefaultPolicy, nor a policy items use',
    'policy next-runs (--vault V --policy P | --file policy.json) [--from ISO] [--count N] [--json]',
    'policy preview (--vault V --policy P | --file policy.json) --points points.json [--now ISO] [--json]',
  ],
  async run(args, io) {
    const sub = positional(args, 0, 'subcommand');
    const handler = SUBCOMMANDS[sub];
    if (!handler) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown policy subcommand "${sub}": use ${Object.keys(SUBCOMMANDS).join(', ')}.`, { field: 'subcommand' });
    return handler(args, io);
  },
};
