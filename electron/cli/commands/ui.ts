/**
 * `labvault ui [--port N] [--no-open] [--no-scheduler]`: the UI in a browser, for headless
 * lab servers. Scheduled backups run while it serves (unless --no-scheduler). It prints a
 * sign-in address with a one-time code (and a new one each time one is used or expires);
 * the browser it opens gets its own code, valid for a minute, since a browser's command
 * line can be read by other users of the machine.
 */
import { spawn } from 'node:child_process';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { startBrowserHost, type SignInAnnouncement } from '../../host/browser-host.ts';
import { startSchedulerHost } from '../../engine/index.ts';
import { rendererDir } from '../../host/app-paths.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { cliEngine } from '../cli-context.ts';
import { expectFlags, integerFlag } from '../parse-args.ts';

/** How long the code in the opened browser's command line stays valid. */
const OPENER_CODE_TTL_MS = 60_000;

const ANNOUNCED: Record<SignInAnnouncement, string> = {
  start: 'Open it in a browser on this machine; the address works once, for 10 minutes. Press Ctrl+C to stop.',
  used: 'A browser signed in. For another browser, use the new address above (it works once, for 10 minutes).',
  expired: 'The previous sign-in address expired; use the new one above (it works once, for 10 minutes).',
};

export function openInBrowser(url: string): void {
  const [command, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(command as string, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser opener: the printed URL is enough.
  }
}

export const uiCommand: CliCommandGroup = {
  name: 'ui',
  usage: ['ui [--port N] [--no-open] [--no-scheduler]   serve the UI on 127.0.0.1 and print a one-time sign-in URL; runs scheduled backups while serving'],
  async run(args, io) {
    expectFlags(args, ['port', 'open', 'scheduler']);
    const port = integerFlag(args, 'port');
    if (port !== undefined && (port < 0 || port > 65535)) throw new LabvaultError(ErrorCodes.INVALID_INPUT, '--port must be between 0 and 65535.', { field: 'port' });
    const engine = cliEngine(io);
    const host = await startBrowserHost(engine, {
      port: port ?? 0,
      rendererDir: rendererDir(),
      announce: (url, reason) => {
        io.out(`Labvault UI: ${url}`);
        io.err(`Only this machine can connect (127.0.0.1). ${ANNOUNCED[reason]}`);
      },
    });
    const scheduler = args.flags.scheduler === false
      ? null
      : startSchedulerHost(engine, { log: (line) => io.err(line) });
    if (args.flags.open !== false) openInBrowser(host.signInUrl(OPENER_CODE_TTL_MS));
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await scheduler?.stop();
    await host.close();
    return 0;
  },
};
