/** Where the desktop app looks for its built files, and the app menu (pure). */
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { appMenuTemplate } from '../../../electron/desktop/app-menu.ts';
import { desktopPaths } from '../../../electron/desktop/desktop-paths.ts';

describe('desktopPaths', () => {
  it('points at the build outputs under out/', () => {
    const paths = desktopPaths('/opt/Labvault/resources/app.asar', 'linux');
    expect(paths.preload).toBe(join('/opt/Labvault/resources/app.asar', 'out', 'preload', 'preload.cjs'));
    expect(paths.rendererDir).toBe(join('/opt/Labvault/resources/app.asar', 'out', 'renderer'));
    expect(paths.trayIcon.endsWith('tray.png')).toBe(true);
    expect(desktopPaths('/x', 'darwin').trayIcon.endsWith('trayTemplate.png')).toBe(true);
  });
});

describe('appMenuTemplate', () => {
  const roles = (items: MenuItemConstructorOptions[]): string[] => items.flatMap((item) => [item.role ?? item.label ?? item.type ?? '?', ...roles(Array.isArray(item.submenu) ? item.submenu : [])]);

  it('offers Reload and DevTools only in development builds', () => {
    const packaged = roles(appMenuTemplate({ platform: 'linux', development: false, onQuit: () => undefined }));
    expect(packaged).not.toContain('toggleDevTools');
    expect(packaged).not.toContain('reload');
    expect(packaged).toContain('editMenu');
    expect(packaged).toContain('Quit Labvault');
    expect(roles(appMenuTemplate({ platform: 'linux', development: true, onQuit: () => undefined }))).toContain('toggleDevTools');
  });

  it('uses the standard app, edit and window menus on macOS', () => {
    expect(roles(appMenuTemplate({ platform: 'darwin', development: false, onQuit: () => undefined })).filter((role) => role.endsWith('Menu'))).toEqual(['appMenu', 'editMenu', 'windowMenu']);
  });
});
