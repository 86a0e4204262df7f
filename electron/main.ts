/**
 * Electron main process: thin. It sets the app's identity and data folder (shared with
 * the `labvault` CLI), takes the single-instance lock, serves the renderer from
 * app://labvault/, hardens every webContents, registers the contract over IPC, and keeps
 * running in the tray (scheduler included) when the window is closed. The engine does
 * the work. Bundled by build/build.mjs to out/main/main.js ("main" in package.json).
 */
import { join } from 'node:path';
import { Menu, app, dialog, powerSaveBlocker, safeStorage } from 'electron';
import type { ChannelHandlers } from '../shared/contract/channels.ts';
import { APP_NAME, Engine, hostedScheduler, preparePrivateAppHome, resolveAppHome, type EngineOptions } from './engine/index.ts';
import { forwardEngineEvents, registerContractChannels } from './ipc.ts';
import { consoleLog, startAppLog, type AppLog } from './desktop/app-log.ts';
import { appMenuTemplate } from './desktop/app-menu.ts';
import { registerAppScheme, serveRendererFiles } from './desktop/app-protocol.ts';
import { AppTray } from './desktop/app-tray.ts';
import { BackupStatusLine } from './desktop/backup-status-line.ts';
import { desktopPaths } from './desktop/desktop-paths.ts';
import { showDesktopNotice, startJobNotifications } from './desktop/job-notifications.ts';
import { JobSleepBlocker } from './desktop/job-sleep-blocker.ts';
import { MainWindow } from './desktop/main-window.ts';
import { createDialogHandlers } from './desktop/native-dialogs.ts';
import { PassphraseKeychain, type PassphraseStore } from './desktop/passphrase-keychain.ts';
import { guardWebContents } from './desktop/web-contents-guard.ts';

const APP_USER_MODEL_ID = 'org.labvault.desktop';
/** `labvault-desktop --hidden` (e.g. started at login): only the tray icon, no window. */
const START_HIDDEN_FLAG = '--hidden';
const CHROMIUM_DATA_DIR = 'chromium';

// Identity and data folder first: userData decides where the single-instance lock lives.
const appHome = resolveAppHome(process.env);
// Before Electron writes its first file there: private (0700), see engine/app/private-app-home.ts.
preparePrivateAppHome(appHome);
app.setName(APP_NAME);
app.setPath('userData', appHome);
// Chromium's caches and storage in their own folder, not among the vault list.
app.setPath('sessionData', join(appHome, CHROMIUM_DATA_DIR));
if (process.platform === 'darwin') app.setAppLogsPath();
else app.setAppLogsPath(join(appHome, 'logs'));
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  // Another Labvault runs: it shows its window (second-instance) and this one leaves.
  app.quit();
} else {
  const log = startAppLog(app.getPath('logs'));
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
  startDesktopApp(log).catch((error: unknown) => failToStart(log, error));
}

async function startDesktopApp(log: AppLog): Promise<void> {
  const paths = desktopPaths(app.getAppPath());
  let shuttingDown = false;
  let shutDown = false;

  await app.whenReady();
  log.info(`Labvault ${app.getVersion()} starting; app home ${appHome}`);
  serveRendererFiles(paths.rendererDir, log);
  const menuTemplate = appMenuTemplate({
    platform: process.platform, development: !app.isPackaged, onQuit: () => app.quit(),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate));

  const keychain: PassphraseStore = new PassphraseKeychain({ appHome, cipher: safeStorage });
  // The keychain answers when a locked vault is needed, and vaults.unlock with remember: true fills it.
  const engineOptions: EngineOptions = { face: 'electron', appHome, passphraseStore: keychain };
  const engine = new Engine(engineOptions);

  const mainWindow = new MainWindow({
    window: { preloadPath: paths.preload, iconPath: paths.appIcon, allowDevTools: !app.isPackaged },
    log,
    onFirstHide: () => {
      showDesktopNotice({ title: 'Labvault is still running', body: 'Scheduled backups keep running. Quit from the Labvault icon in the tray.', urgency: 'low' }, { log, iconPath: paths.appIcon });
    },
  });
  const openWindow = () => {
    mainWindow.show();
  };

  const handlers: ChannelHandlers = { ...engine.handlers, dialogs: createDialogHandlers(() => mainWindow.current()) };
  const unregisterChannels = registerContractChannels(handlers, log);
  const stopForwarding = forwardEngineEvents(engine.events);
  const stopNotifications = startJobNotifications(engine.events, { log, onClick: openWindow, iconPath: paths.appIcon });

  const tray = new AppTray({ iconPath: paths.trayIcon, templateIcon: process.platform === 'darwin', onOpen: openWindow, onQuit: () => app.quit(), log });
  const statusLine = new BackupStatusLine();
  const sleepBlocker = new JobSleepBlocker(powerSaveBlocker, log);
  const stopStatus = engine.events.onAny((event, payload) => {
    if (statusLine.onEvent(event, payload)) tray.setStatus(statusLine.text());
    sleepBlocker.update(statusLine.activeJobs());
  });

  const scheduler = hostedScheduler(engine, { log: (line) => log.info(line) });
  scheduler.start();
  log.info('Scheduler started.');

  app.on('second-instance', openWindow);
  app.on('activate', openWindow);
  // Closing the window hides it: the app (and the scheduler) stays in the tray.
  app.on('window-all-closed', () => undefined);
  app.on('before-quit', (event) => {
    mainWindow.allowQuit();
    if (shutDown) return;
    event.preventDefault();
    if (shuttingDown) return;
    shuttingDown = true;
    log.info('Quitting: stopping the scheduler and closing vaults.');
    scheduler.stop()
      .then(() => log.info('Scheduler stopped.'))
      .catch((error: unknown) => log.error('Scheduler did not stop cleanly:', error))
      .finally(() => {
        stopStatus();
        sleepBlocker.update(0);
        stopNotifications();
        stopForwarding();
        unregisterChannels();
        tray.destroy();
        engine.close().catch((error: unknown) => log.error('Engine did not close cleanly:', error));
        shutDown = true;
        app.quit();
      });
  });

  if (!process.argv.includes(START_HIDDEN_FLAG)) openWindow();
}

function failToStart(log: AppLog, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  log.error('Labvault could not start:', error);
  consoleLog.error(`Labvault could not start: ${message}`);
  try {
    dialog.showErrorBox('Labvault could not start', `${message}\n\nDetails are in the log: ${join(app.getPath('logs'), 'main.log')}`);
  } finally {
    app.exit(1);
  }
}
