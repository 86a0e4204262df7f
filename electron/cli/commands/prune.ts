/** `labvault prune --vault V [--dry-run] [--json]`: apply retention now (expired points go to soft delete when on). */
import type { CliCommandGroup } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, stringFlag } from '../parse-args.ts';

export const pruneCommand: CliCommandGroup = {
  name: 'prune',
  usage: ['prune --vault V [--dry-run] [--json]           apply retention now: expired points go to soft delete; purge past-date data'],
  async run(args, io) {
    expectFlags(args, ['vault', 'dry-run']);
    const dryRun = booleanFlag(args, 'dry-run');
    const report = await cliClient(io).vaults.prune({ vault: stringFlag(args, 'vault', true), dryRun });
    if (booleanFlag(args, 'json')) {
      printJson(io, report);
      return 0;
    }
    for (const entry of report.expired) io.out(`${entry.action}: ${entry.item} ${entry.pointId} (${entry.createdAt}${entry.expiredAt ? `, expired ${entry.expiredAt}` : ''})`);
    io.out(`${dryRun ? 'Dry run: ' : ''}${report.expired.length} point(s) ${dryRun ? 'would be removed' : 'removed'}, ${report.kept} kept${dryRun ? '' : `, ${report.snapshotsRemoved} instant-restore snapshot(s) expired, ${report.purged} soft-deleted point(s) purged`}.`);
    return 0;
  },
};
