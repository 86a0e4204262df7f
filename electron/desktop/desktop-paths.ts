/**
 * Where the desktop app finds its built files, relative to the app root (the project
 * folder in development, the app.asar root when packaged: `app.getAppPath()`).
 * No electron import, so tests check it.
 */
import { join } from 'node:path';

export interface DesktopPaths {
  appRoot: string;
  preload: string;
  rendererDir: string;
  appIcon: string;
  trayIcon: string;
}

/** macOS menu-bar icons are black "template" images the system tints; elsewhere a colour icon. */
export function trayIconName(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'trayTemplate.png' : 'tray.png';
}

export function desktopPaths(appRoot: string, platform: NodeJS.Platform = process.platform): DesktopPaths {
  const out = join(appRoot, 'out');
  return {
    appRoot,
    preload: join(out, 'preload', 'preload.cjs'),
    rendererDir: join(out, 'renderer'),
    appIcon: join(out, 'icons', 'icon.png'),
    trayIcon: join(out, 'icons', trayIconName(platform)),
  };
}
