/**
 * The application menu: Electron's default one links to electronjs.org and always offers
 * DevTools. Ours has the standard edit, view and window roles (copy and paste shortcuts
 * need the Edit menu on macOS), Reload and DevTools only in development builds, and Quit.
 * `appMenuTemplate` is pure (no electron import), so tests check it.
 */
import type { MenuItemConstructorOptions } from 'electron';

export function appMenuTemplate(
  options: { platform: NodeJS.Platform; development: boolean; onQuit: () => void },
): MenuItemConstructorOptions[] {
  const developer: MenuItemConstructorOptions[] = options.development ? [{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] : [];
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }, ...developer],
  };
  if (options.platform === 'darwin') return [{ role: 'appMenu' }, { role: 'editMenu' }, view, { role: 'windowMenu' }];
  return [
    { label: 'File', submenu: [{ role: 'close', label: 'Close window' }, { type: 'separator' }, { label: 'Quit Labvault', click: options.onQuit }] },
    { role: 'editMenu' },
    view,
  ];
}
