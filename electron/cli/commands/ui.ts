/**
 * `labvault ui [--port N] [--open | --no-open] [--no-scheduler] [--json]`: the UI in a browser,
 * for headless lab servers. Scheduled backups run while it serves (unless --no-scheduler). It
 * prints a sign-in address with a one-time code (and a new one each time one is used or
 * expires); the browser it opens gets its own code, valid for a minute, since a browser's
 * command line can be read by other users of the machine.
 * The port is remembered in the app home (ui-state.ts) and reused when free, so a bookmark
 * keeps working; when it is taken another is used, and the message says so. When a
 * `labvault ui` already serves this app home, `labvault ui --open` opens that one, signed in
 * with a fresh one-time code, and exits instead of starting a second.
 * LABVAULT_OPEN_COMMAND names a program to open addresses with instead of xdg-open/open/start.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { startBrowserHost, type SignInAnnouncement } from '../../host/browser-host.ts';
import { startSchedulerHost } from '../../engine/index.ts';
import { rendererDir } from '../../host/app-paths.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { cliEngine, printJson } from '../cli-context.ts';
import { booleanFlag, expectFlags, integerFlag } from '../parse-args.ts';
import { askRunningHost, markUiStopped, portIsFree, readUiState, writeUiState } from '../../host/ui-state.ts';

/** How long the code in the opened browser's command line stays valid. */
const OPENER_CODE_TTL_MS = 60_000;

const ANNOUNCED: Record<SignInAnnouncement, string> = {
  start: 'Open it in a browser on this machine; the address works once, for 10 minutes. Press Ctrl+C to stop.',
  used: 'A browser signed in. For another browser, use the new address above (it works once, for 10 minutes).',
  expired: 'The previous sign-in address expired; use the new one above (it works once, for 10 minutes).',
};

export function openInBrowser(url: string, env: NodeJS.ProcessEnv = process.env): void {
  const custom = env.LABVAULT_OPEN_COMMAND;
  const [command, args] = custom ? [custom, [url]] : process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser opener: the printed URL is enough.
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const uiCommand: CliCommandGroup = {
  name: 'ui',
  usage: [
    'ui [--port N] [--no-open] [--no-scheduler]   serve the UI on 127.0.0.1 and print a one-time sign-in URL; runs scheduled backups while serving; reuses the last port when free',
    'ui --open [--json]                           open the UI in the default browser, signed in; when a "labvault ui" already serves this app home, open that one',
  ],
  async run(args, io) {
    expectFlags(args, ['port', 'open', 'scheduler']);
    const port = integerFlag(args, 'port');
    if (port !== undefined && (port < 0 || port > 65535)) throw new LabvaultError(ErrorCodes.INVALID_INPUT, '--port must be between 0 and 65535.', { field: 'port' });
    const engine = cliEngine(io);
    const opens = args.flags.open !== false;
    const remembered = await readUiState(engine.appHome);
    if (opens && remembered) {
      const url = await askRunningHost(remembered, pidAlive);
      if (url !== null) {
        openInBrowser(url, io.env);
        if (booleanFlag(args, 'json')) printJson(io, { reused: true, port: remembered.port, pid: remembered.pid, url });
        else io.out(`Opened the Labvault UI already running on port ${remembered.port} (pid ${remembered.pid ?? '?'}): ${url}`);
        return 0;
      }
    }
    let listenPort = port ?? 0;
    if (port === undefined && remembered) {
      if (await portIsFree(remembered.port)) listenPort = remembered.port;
      else io.err(`Port ${remembered.port} (used last time) is taken now: serving on another port; bookmarks of the old address will not work.`);
    }
    const controlToken = randomBytes(32).toString('hex');
    // Listen for SIGINT/SIGTERM before the address is printed: whoever reads it may stop us at once.
    const stopped = new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    const host = await startBrowserHost(engine, {
      port: listenPort,
      controlToken,
      rendererDir: rendererDir(),
      announce: (url, reason) => {
        io.out(`Labvault UI: ${url}`);
        io.err(`Only this machine can connect (127.0.0.1). ${ANNOUNCED[reason]}`);
      },
    });
    await writeUiState(engine.appHome, { port: host.port, pid: process.pid, controlToken });
    const scheduler = args.flags.scheduler === false
      ? null
      : startSchedulerHost(engine, { log: (line) => io.err(line) });
    if (opens) openInBrowser(host.signInUrl(OPENER_CODE_TTL_MS), io.env);
    await stopped;
    await scheduler?.stop();
    await host.close();
    await markUiStopped(engine.appHome, host.port);
    return 0;
  },
};
