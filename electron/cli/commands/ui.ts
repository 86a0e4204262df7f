/**
 * `labvault ui [--port N] [--no-open] [--no-scheduler]`: the UI in a browser, for headless
 * lab servers. Scheduled backups run while it serves (unless --no-scheduler).
 */
import { spawn } from 'node:child_process';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { startBrowserHost } from '../../host/browser-host.ts';
import { startSchedulerHost } from '../../engine/scheduling/scheduler-host.ts';
import { rendererDir } from '../../host/app-paths.ts';
import type { CliCommandGroup } from '../cli-command.ts';
import { cliEngine } from '../cli-context.ts';
import { expectFlags, integerFlag } from '../parse-args.ts';

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
  usage: ['ui [--port N] [--no-open] [--no-scheduler]   serve the UI on 127.0.0.1 and print its private URL; runs scheduled backups while serving'],
  async run(args, io) {
    expectFlags(args, ['port', 'open', 'scheduler']);
    const port = integerFlag(args, 'port');
    if (port !== undefined && (port < 0 || port > 65535)) throw new LabvaultError(ErrorCodes.INVALID_INPUT, '--port must be between 0 and 65535.', { field: 'port' });
    const engine = cliEngine(io);
    const host = await startBrowserHost(engine, { port: port ?? 0, rendererDir: rendererDir() });
    const scheduler = args.flags.scheduler === false ? null : startSchedulerHost(engine, { log: (line) => io.err(line) });
    io.out(`Labvault UI: ${host.url}`);
    io.err('Only this machine can connect (127.0.0.1), and only with the token in that URL. Press Ctrl+C to stop.');
    if (args.flags.open !== false) openInBrowser(host.url);
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
