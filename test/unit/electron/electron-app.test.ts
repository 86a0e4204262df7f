/**
 * The real desktop app, driven with Playwright's Electron support: the window is
 * sandboxed, the page sees only window.labvault, and the contract answers over IPC.
 * Needs the Electron binary, which cannot be downloaded on the build machines: there
 * these tests skip and say so. They also need `npm run build` (out/) and, on Linux, a
 * display (DISPLAY, e.g. under xvfb-run).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelNames } from '../../../shared/contract/channels.ts';
import { APP_ORIGIN } from '../../../electron/desktop/app-origin.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

const root = join(import.meta.dirname, '..', '..', '..');

function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

function skipReason(): string | null {
  if (!electronBinary()) return 'Electron binary not installed: skipping';
  if (!existsSync(join(root, 'out', 'main', 'main.js')) || !existsSync(join(root, 'out', 'renderer', 'index.html'))) return 'Electron app not built (run npm run build): skipping';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'No display for Electron (set DISPLAY or use xvfb-run): skipping';
  return null;
}

const reason = skipReason();
if (reason) console.log(`electron-app.test.ts: ${reason}`);

describe('Labvault desktop app in the real Electron', () => {
  it('opens a sandboxed window whose page sees only window.labvault', async (context) => {
    if (reason !== null) {
      context.skip(reason);
      return;
    }
    const { _electron } = await import('playwright-core');
    const home = makeTempDir('labvault-electron-');
    const app = await _electron.launch({ executablePath: electronBinary()!, args: [root], env: { ...process.env, LABVAULT_HOME: home } });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url().startsWith(`${APP_ORIGIN}/`)).toBe(true);

      const surface = await page.evaluate(() => {
        const scope = window as unknown as Record<string, unknown>;
        return {
          bridgeKeys: Object.keys((scope.labvault ?? {}) as object).sort(),
          require: typeof scope.require,
          process: typeof scope.process,
          opened: window.open('https://example.com/') === null,
        };
      });
      expect(surface).toEqual({ bridgeKeys: ['invoke', 'subscribe'], require: 'undefined', process: 'undefined', opened: true });

      const infoChannel = channelNames.find((name) => name.endsWith('.info'))!;
      const info = await page.evaluate(async (channel) => {
        const bridge = (window as unknown as { labvault: { invoke(c: string, i: unknown): Promise<unknown> } }).labvault;
        return { known: await bridge.invoke(channel, {}), unknown: await bridge.invoke('nope.unknown', {}) };
      }, infoChannel);
      expect(info.known).toMatchObject({ ok: true, value: { face: 'electron', appHome: home } });
      expect(info.unknown).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

      const preferences = await app.evaluate((electron) => {
        const contents = electron.BrowserWindow.getAllWindows()[0]!.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null };
        return contents.getLastWebPreferences();
      });
      expect(preferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false });
    } finally {
      await app.close();
      removeDir(home);
    }
  });
});
