/**
 * Where app data lives (the list of known vaults, settings): LABVAULT_HOME when set,
 * else the platform's usual place, which is the same path Electron's userData uses for
 * an app named "Labvault" (so the desktop app and the CLI share one list).
 */
import { homedir, platform } from 'node:os';
import { join, resolve } from 'node:path';

export const APP_NAME = 'Labvault';

export function resolveAppHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LABVAULT_HOME;
  if (fromEnv && fromEnv.trim() !== '') return resolve(fromEnv);
  switch (platform()) {
    case 'win32':
      return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_NAME);
    default:
      return join(env.XDG_CONFIG_HOME && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(homedir(), '.config'), APP_NAME);
  }
}

/** Suggested parent folder for new vaults in the UI. */
export function defaultVaultParent(): string {
  return join(homedir(), 'Labvault');
}
