/**
 * `labvault`: the command line face of the engine.
 * Exit codes: 0 success; 2 invalid input or a refused rule (message names the field and
 * the rule); 3 damage found (image check, vault verify); 4 the job waited for was cancelled
 * (backup, jobs wait); 1 any other failure.
 */
// First: may start deriving an encrypted vault's key while the rest loads (early-unlock.ts).
import './early-unlock.ts';
import { ErrorCodes, LabvaultError, USER_ERROR_CODES } from '../../shared/errors.ts';
import { appVersion } from '../engine/index.ts';
import type { CliIo } from './cli-command.ts';
import { commandGroups } from './command-groups.ts';
import { closeCliEngine, setPassphraseFile } from './cli-context.ts';
import { watchClosedOutput } from './closed-output.ts';
import { parseArgs } from './parse-args.ts';
import { printVersion } from './version-report.ts';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_INVALID = 2;
export const EXIT_DAMAGE = 3;

function helpText(): string {
  const lines = [
    `labvault ${appVersion()}: back up and restore virtual machines into local vaults.`,
    '',
    'Usage: labvault <command> [options]',
    '',
  ];
  for (const group of commandGroups) for (const usage of group.usage) lines.push(`  labvault ${usage}`);
  lines.push('  labvault --version [--json]   version, vault format versions read and written', '  labvault help', '');
  lines.push('Options: --json prints only JSON on stdout. LABVAULT_HOME sets where app data (the list of known vaults) lives.');
  lines.push('Exit codes: 0 ok, 2 invalid input or refused by a vault rule, 3 damage found, 4 the job waited for'
    + ' was cancelled (backup, jobs wait), 1 other failure.');
  return lines.join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const { group, args } = parseArgs(argv);
    const passphraseFile = args.flags['passphrase-file'];
    delete args.flags['passphrase-file'];
    setPassphraseFile(typeof passphraseFile === 'string' ? passphraseFile : undefined);
    if (args.flags.version === true && group === undefined) return printVersion(args, io);
    if (group === undefined || group === 'help' || (args.flags.help === true && group === undefined)) {
      io.out(helpText());
      return EXIT_OK;
    }
    const command = commandGroups.find((candidate) => candidate.name === group);
    if (!command) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown command "${group}". Run "labvault help" for the list.`, { field: 'command' });
    if (args.flags.help === true) {
      io.out(command.usage.map((usage) => `labvault ${usage}`).join('\n'));
      return EXIT_OK;
    }
    return await command.run(args, io);
  } catch (error) {
    return reportError(error, io);
  } finally {
    await closeCliEngine();
  }
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof LabvaultError) {
    const field = error.field ? ` (${error.field})` : '';
    io.err(`labvault: error [${error.code}]${field}: ${error.message}`);
    if (USER_ERROR_CODES.has(error.code)) return EXIT_INVALID;
    if (error.code === ErrorCodes.CORRUPT) return EXIT_DAMAGE;
    return EXIT_FAILURE;
  }
  io.err(`labvault: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return EXIT_FAILURE;
}

/** The process's own streams; a reader that goes away (`| head -1`) ends nothing but the output. */
function processIo(): CliIo {
  const stdout = watchClosedOutput(process.stdout);
  const stderr = watchClosedOutput(process.stderr);
  return {
    out: (text) => stdout.line(text),
    err: (text) => stderr.line(text),
    isTty: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (invokedDirectly || (globalThis as { __LABVAULT_CLI_MAIN__?: boolean }).__LABVAULT_CLI_MAIN__) {
  const io = processIo();
  runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  }, (error: unknown) => {
    io.err(`labvault: ${String(error)}`);
    process.exitCode = EXIT_FAILURE;
  });
}
