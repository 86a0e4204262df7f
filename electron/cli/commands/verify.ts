/** `labvault verify V [--read-data]`: exit 3 when damage is found. */
import type { CliCommandGroup } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, positional } from '../parse-args.ts';

export const verifyCommand: CliCommandGroup = {
  name: 'verify',
  usage: ['verify VAULT [--read-data] [--json]      check structure (or every byte); exit 3 naming damaged chunks and points'],
  async run(args, io) {
    expectFlags(args, ['read-data']);
    const report = await cliClient(io).vaults.verify({ name: positional(args, 0, 'vault'), readData: booleanFlag(args, 'read-data') });
    if (booleanFlag(args, 'json')) printJson(io, report);
    else {
      io.out(`${report.ok ? 'OK' : 'DAMAGED'}: ${report.manifestsChecked} points, ${report.chunksChecked} chunks checked${report.readData ? ' (every byte read)' : ' (structure)'}.`);
      for (const problem of report.problems) io.out(`  ${problem.kind}: ${problem.message}`);
      for (const point of report.affectedPoints) io.out(`  affected: ${point.item} point ${point.pointId} (${point.files.join(', ')})`);
    }
    return report.ok ? 0 : 3;
  },
};
