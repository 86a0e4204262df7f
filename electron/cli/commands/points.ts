/** `labvault points list|delete`. */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { formatBytes, formatTable } from '../cli-format.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';

export const pointsCommand: CliCommandGroup = {
  name: 'points',
  usage: [
    'points list ITEM [--all] [--json]        recovery points, newest first (--all: soft-deleted too)',
    'points delete ITEM --point ID            soft-delete one point (refused while immutability protects it)',
  ],
  async run(args, io) {
    const client = cliClient(io);
    const sub = args.positionals[0];
    if (sub === 'list') {
      expectFlags(args, ['all']);
      const points = await client.points.list({ item: positional(args, 1, 'item'), includeDeleted: booleanFlag(args, 'all') });
      if (booleanFlag(args, 'json')) printJson(io, points);
      else if (points.length === 0) io.out('No recovery points.');
      else io.out(formatTable(['ID', 'CREATED', 'CONSISTENCY', 'TIERS', 'EXPIRES', 'LOGICAL', 'STORED', 'STATE'], points.map((point) => [
        point.id, point.createdAt.replace('T', ' ').slice(0, 19), point.consistency, point.tiers.join('+'), point.expiresAt ? point.expiresAt.slice(0, 10) : '-',
        formatBytes(point.logicalBytes), formatBytes(point.storedBytes), point.state === 'soft-deleted' ? `soft-deleted until ${point.purgeAt?.slice(0, 10) ?? '?'}` : 'active',
      ])));
      return 0;
    }
    if (sub === 'delete') {
      expectFlags(args, ['point']);
      const point = await client.points.delete({ item: positional(args, 1, 'item'), point: stringFlag(args, 'point', true) });
      if (booleanFlag(args, 'json')) printJson(io, point);
      else io.out(point.state === 'soft-deleted' && point.purgeAt ? `Point ${point.id} soft-deleted; it can be undeleted until ${point.purgeAt}.` : `Point ${point.id} deleted.`);
      return 0;
    }
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown points command "${sub ?? ''}". Try: labvault help`, { field: 'command' });
  },
};
