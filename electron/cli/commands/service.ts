/**
 * `labvault service run [--once]`: the scheduler without the window. Runs scheduled
 * backups, retention after each backup, and retention + GC every hour, for every known
 * vault no other scheduler owns, until SIGINT/SIGTERM (the first signal stops scheduling
 * and waits for running backups; a second one cancels them, recorded as cancelled by the
 * service, and exits: a backup cut short keeps nothing partial). --once: one tick, wait for
 * the backups it started, one retention + GC pass, then exit (for cron or tests).
 * `labvault service install-instructions`: how to start it at login on this system.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliCommandGroup, CliIo, ParsedArgs } from '../cli-command.ts';
import { cliEngine, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, positional } from '../parse-args.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { startSchedulerHost } from '../../engine/index.ts';
import { launchdPlist, systemdUnit, windowsTaskCommand, type ServiceCommand } from './service-templates.ts';

const EXIT_INTERRUPTED = 130;
/** How long a second signal waits for running jobs to record their cancel before exiting. */
const SECOND_SIGNAL_CANCEL_MS = 5_000;

async function runOnce(args: ParsedArgs, io: CliIo): Promise<number> {
  const engine = cliEngine(io);
  const host = startSchedulerHost(engine, { log: (line) => io.err(line), autoStart: false });
  try {
    const tick = await host.tick();
    await host.idle();
    const maintenance = await host.maintain();
    const summary = {
      vaults: host.ownedVaults(),
      started: tick.started.map((run) => ({
        itemId: run.itemId, slot: run.slot.id, kind: run.kind, missedSlots: run.missedSlots,
      })),
      nextDueAt: tick.nextDueAt?.toISOString() ?? null,
      errors: tick.errors,
      maintenance,
    };
    if (booleanFlag(args, 'json')) printJson(io, summary);
    else io.out(`${summary.started.length} backup(s) started; next due ${summary.nextDueAt ?? 'never'}; vaults scheduled: ${summary.vaults.join(', ') || 'none'}.`);
    return tick.errors > 0 ? 1 : 0;
  } finally {
    await host.stop();
  }
}

async function runUntilSignal(io: CliIo): Promise<number> {
  const engine = cliEngine(io);
  const host = startSchedulerHost(engine, { log: (line) => io.err(line) });
  io.err('Labvault scheduler running (Ctrl+C or SIGTERM to stop).');
  let signals = 0;
  let interrupted = false;
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      signals += 1;
      if (signals === 1) resolve();
      else {
        interrupted = true;
        io.err('Second signal: cancelling running backups (no point is made) and exiting.');
        // Recorded on each job as cancelled by the service stopping; bounded, then exit regardless.
        const cancelled = engine.jobs.cancelRunning('service');
        const bound = new Promise((resolve) => setTimeout(resolve, SECOND_SIGNAL_CANCEL_MS).unref());
        void Promise.race([cancelled, bound]).finally(() => process.exit(EXIT_INTERRUPTED));
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  io.err('Stopping: no new backups start; waiting for running backups to finish (signal again to exit at once).');
  await host.stop();
  await host.idle();
  return interrupted ? EXIT_INTERRUPTED : 0;
}

function thisCommand(io: CliIo): ServiceCommand {
  // The installed package's launcher (build/dist-server/labvault-launcher.sh) names itself here.
  const launcher = io.env.LABVAULT_LAUNCHER;
  if (launcher) return { argv: [launcher, 'service', 'run'], home: io.env.LABVAULT_HOME };
  // electron/cli/bin.mjs: beside the sources (electron/cli/commands/), or two folders up from the bundle (out/cli/).
  const candidates = [new URL('../bin.mjs', import.meta.url), new URL('../../electron/cli/bin.mjs', import.meta.url)];
  const bin = fileURLToPath(candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!);
  return { argv: [process.execPath, bin, 'service', 'run'], home: io.env.LABVAULT_HOME };
}

function installInstructions(args: ParsedArgs, io: CliIo): number {
  const command = thisCommand(io);
  const texts = { systemd: systemdUnit(command), launchd: launchdPlist(command), windows: windowsTaskCommand(command) };
  if (booleanFlag(args, 'json')) {
    printJson(io, texts);
    return 0;
  }
  io.out('Start "labvault service run" at login so backups run without the window.');
  io.out('Run only one scheduler per vault: the desktop app and "labvault ui" also schedule (the second one waits).\n');
  io.out('Linux (systemd user unit):\n');
  io.out(texts.systemd);
  io.out('macOS (launchd agent):\n');
  io.out(texts.launchd);
  io.out('Windows (Task Scheduler):\n');
  io.out(texts.windows.replace(/\r\n/g, '\n'));
  return 0;
}

export const serviceCommand: CliCommandGroup = {
  name: 'service',
  usage: [
    'service run [--once] [--json]                    run scheduled backups, retention and GC headless until SIGINT/SIGTERM',
    'service install-instructions [--json]            how to start the scheduler at login (systemd, launchd, Task Scheduler)',
  ],
  async run(args, io) {
    const sub = positional(args, 0, 'subcommand');
    if (sub === 'run') {
      expectFlags(args, ['once']);
      return booleanFlag(args, 'once') ? runOnce(args, io) : runUntilSignal(io);
    }
    if (sub === 'install-instructions') {
      expectFlags(args, []);
      return installInstructions(args, io);
    }
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Unknown service subcommand "${sub}": use run or install-instructions.`, { field: 'subcommand' });
  },
};
