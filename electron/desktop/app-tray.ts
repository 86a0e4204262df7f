/**
 * The tray (menu bar on macOS) icon: Labvault keeps running there when its window is
 * closed, so scheduled backups still run. Menu: Open Labvault, the backup status line
 * (not clickable), Quit.
 */
import { Menu, Tray, nativeImage } from 'electron';
import type { AppLog } from './app-log.ts';

export interface AppTrayOptions {
  iconPath: string;
  /** macOS: the icon is a template image the system tints for light and dark menu bars. */
  templateIcon: boolean;
  onOpen: () => void;
  onQuit: () => void;
  log: AppLog;
}

export class AppTray {
  private readonly options: AppTrayOptions;
  private readonly tray: Tray;
  private status = 'Backups: idle';

  constructor(options: AppTrayOptions) {
    this.options = options;
    const image = nativeImage.createFromPath(options.iconPath);
    if (image.isEmpty()) options.log.warn(`Tray icon ${options.iconPath} is missing or unreadable; run "npm run build".`);
    if (options.templateIcon) image.setTemplateImage(true);
    this.tray = new Tray(image);
    this.tray.on('click', () => options.onOpen());
    this.render();
  }

  setStatus(line: string): void {
    if (line === this.status || this.tray.isDestroyed()) return;
    this.status = line;
    this.render();
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private render(): void {
    this.tray.setToolTip(`Labvault - ${this.status}`);
    this.tray.setContextMenu(Menu.buildFromTemplate([
      { label: 'Open Labvault', click: () => this.options.onOpen() },
      { type: 'separator' },
      { label: this.status, enabled: false },
      { type: 'separator' },
      { label: 'Quit Labvault', click: () => this.options.onQuit() },
    ]));
  }
}
