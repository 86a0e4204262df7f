/**
 * The main window: created from the hardened options (window-options.ts), loads the
 * renderer from app://labvault/, and hides instead of closing so backups and the
 * scheduler keep running in the tray. `allowQuit()` lets the next close really close.
 */
import { BrowserWindow } from 'electron';
import type { AppLog } from './app-log.ts';
import { APP_ENTRY_URL } from './app-origin.ts';
import { buildWindowOptions, type WindowOptionsInput } from './window-options.ts';

/** The only way Labvault makes a window. */
export function createHardenedWindow(input: WindowOptionsInput): BrowserWindow {
  const options = buildWindowOptions(input);
  return new BrowserWindow({
    ...options,
    webPreferences: {
      ...options.webPreferences,
      // The same values window-options.ts sets (and its test checks), restated at the
      // constructor so nothing spread above can weaken them and static checkers
      // (npm run electronegativity) see them where the window is made.
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
    },
  });
}

export interface MainWindowOptions {
  window: WindowOptionsInput;
  log: AppLog;
  /** Called the first time the window hides into the tray (to tell the user once). */
  onFirstHide?: () => void;
}

export class MainWindow {
  private readonly options: MainWindowOptions;
  private window: BrowserWindow | null = null;
  private quitting = false;
  private hiddenOnce = false;

  constructor(options: MainWindowOptions) {
    this.options = options;
  }

  /** The live window, if one exists. */
  current(): BrowserWindow | null {
    return this.window && !this.window.isDestroyed() ? this.window : null;
  }

  /** Shows the window, creating it if needed, and brings it to the front. */
  show(): BrowserWindow {
    const existing = this.current();
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const window = createHardenedWindow(this.options.window);
    this.window = window;
    window.once('ready-to-show', () => window.show());
    window.on('close', (event) => {
      if (this.quitting) return;
      event.preventDefault();
      window.hide();
      if (!this.hiddenOnce) {
        this.hiddenOnce = true;
        this.options.onFirstHide?.();
      }
    });
    window.on('closed', () => {
      if (this.window === window) this.window = null;
    });
    window.loadURL(APP_ENTRY_URL).catch((error: unknown) => {
      this.options.log.error(`Could not load ${APP_ENTRY_URL}:`, error);
    });
    return window;
  }

  allowQuit(): void {
    this.quitting = true;
  }
}
