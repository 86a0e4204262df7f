/** Where the desktop app looks for its built files, and the scheduler hook (pure). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { desktopPaths } from '../../../electron/desktop/desktop-paths.ts';
import { SchedulerHost, schedulerOf } from '../../../electron/desktop/scheduler-host.ts';

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('desktopPaths', () => {
  it('points at the build outputs under out/', () => {
    const paths = desktopPaths('/opt/Labvault/resources/app.asar', 'linux');
    expect(paths.preload).toBe(join('/opt/Labvault/resources/app.asar', 'out', 'preload', 'preload.cjs'));
    expect(paths.rendererDir).toBe(join('/opt/Labvault/resources/app.asar', 'out', 'renderer'));
    expect(paths.trayIcon.endsWith('tray.png')).toBe(true);
    expect(desktopPaths('/x', 'darwin').trayIcon.endsWith('trayTemplate.png')).toBe(true);
  });
});

describe('SchedulerHost', () => {
  it('starts and stops the engine scheduler once, and tolerates an engine without one', async () => {
    const calls: string[] = [];
    const engine = { scheduler: { start: () => { calls.push('start'); }, stop: async () => { calls.push('stop'); } } };
    expect(schedulerOf(engine)).toBe(engine.scheduler);
    const host = new SchedulerHost(engine, silentLog);
    await host.start();
    await host.start();
    await host.stop();
    await host.stop();
    expect(calls).toEqual(['start', 'stop']);
    const bare = new SchedulerHost({}, silentLog);
    await bare.start();
    await bare.stop();
    expect(schedulerOf({ scheduler: { start: 1 } })).toBeNull();
  });
});
