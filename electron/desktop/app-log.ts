/**
 * Main-process logging with electron-log: one file, main.log, in the app's log folder
 * (<app home>/logs on Linux and Windows, ~/Library/Logs/Labvault on macOS), and every
 * uncaught exception or unhandled rejection written there instead of a crash dialog.
 * Its Node flavour on purpose: electron-log/main would register its own IPC channels
 * (__ELECTRON_LOG__), and the contract's channels are to be the only ones.
 * Desktop modules take the small AppLog interface, so they never depend on the logger.
 */
import { join } from 'node:path';
import log from 'electron-log/node';

export interface AppLog {
  info(...params: unknown[]): void;
  warn(...params: unknown[]): void;
  error(...params: unknown[]): void;
}

export const LOG_FILE_NAME = 'main.log';
const LOG_FILE_MAX_BYTES = 5 * 1024 * 1024;

export function startAppLog(logDir: string): AppLog {
  log.transports.file.resolvePathFn = () => join(logDir, LOG_FILE_NAME);
  log.transports.file.level = 'info';
  log.transports.file.maxSize = LOG_FILE_MAX_BYTES;
  log.transports.console.level = process.env.LABVAULT_DEBUG ? 'debug' : 'warn';
  // Logged as "Unhandled Exception" / "Unhandled rejection" with the stack.
  log.errorHandler.startCatching({ showDialog: false });
  log.info(`Logging to ${join(logDir, LOG_FILE_NAME)}`);
  return log;
}

/** For code that runs before the log file exists (or in tests): stderr only. */
export const consoleLog: AppLog = {
  info: (...params) => console.info(...params),
  warn: (...params) => console.warn(...params),
  error: (...params) => console.error(...params),
};
