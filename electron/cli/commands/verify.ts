/**
 * `labvault verify V [--read-data]`: exit 3 when damage is found.
 * `labvault verify ITEM --point ID --guest`: a test restore of one point (partition tables and
 * each readable filesystem's metadata), recorded on the point; exit 3 when it failed.
 */
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliClient, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, positional, stringFlag } from '../parse-args.ts';

const STATUS_WORDS = { verified: 'VERIFIED', warnings: 'WARNINGS', failed: 'FAILED', 'not-readable': 'NOT READABLE' } as const;

async function verifyGuest(args: ParsedArgs, io: CliIo): Promise<number> {
  expectFlags(args, ['guest', 'point']);
  const check = await cliClient(io).files.testRestore({ item: positional(args, 0, 'item'), point: stringFlag(args, 'point', true) });
  if (booleanFlag(args, 'json')) printJson(io, check);
  else {
    const readable = check.volumes.filter((volume) => volume.status !== 'not-readable').length;
    io.out(`${STATUS_WORDS[check.status]}: point ${check.pointId}, ${readable} filesystem(s) checked, `
      + `${check.chunksRead} chunks read from the vault in ${check.elapsedMs} ms.`);
    for (const volume of check.volumes) {
      const where = volume.disk < 0 ? `volume ${volume.id}` : `disk ${volume.disk} ${volume.id}`;
      io.out(`  ${where} (${volume.filesystem}${volume.label ? `, "${volume.label}"` : ''}): ${volume.status}`);
    }
    for (const reason of check.reasons) io.out(`  - ${reason}`);
  }
  return check.status === 'failed' ? 3 : 0;
}

export const verifyCommand: CliCommandGroup = {
  name: 'verify',
  usage: [
    'verify VAULT [--read-data] [--json]      check structure (or every byte); exit 3 naming damaged chunks and points',
    'verify ITEM --point ID --guest [--json]  test restore: partition tables and filesystem metadata read back; exit 3 when failed',
  ],
  async run(args, io) {
    if (booleanFlag(args, 'guest')) return verifyGuest(args, io);
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
