/**
 * The one place that says how a Labvault window is built. Every window (main or any
 * future secondary one) is created from these options: sandboxed renderer, isolated
 * context, no Node, no webviews, the narrow preload as the only bridge.
 * No electron import, so the options are tested under plain Node.
 */

export interface HardenedWebPreferences {
  preload: string;
  sandbox: true;
  contextIsolation: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  webviewTag: false;
  navigateOnDragDrop: false;
  spellcheck: false;
  safeDialogs: true;
  /** Middle-click must not open links in new windows. */
  disableBlinkFeatures: 'Auxclick';
  devTools: boolean;
}

export interface HardenedWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: false;
  title: string;
  icon?: string;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: HardenedWebPreferences;
}

export interface WindowOptionsInput {
  /** Absolute path of out/preload/preload.cjs. */
  preloadPath: string;
  iconPath?: string;
  title?: string;
  /** DevTools only in development builds (not packaged). */
  allowDevTools?: boolean;
  width?: number;
  height?: number;
}

export const MAIN_WINDOW_SIZE = { width: 1280, height: 820, minWidth: 960, minHeight: 600 } as const;
const WINDOW_BACKGROUND = '#f6f7f9';

export function hardenedWebPreferences(preloadPath: string, allowDevTools = false): HardenedWebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    disableBlinkFeatures: 'Auxclick',
    devTools: allowDevTools,
  };
}

export function buildWindowOptions(input: WindowOptionsInput): HardenedWindowOptions {
  const options: HardenedWindowOptions = {
    width: input.width ?? MAIN_WINDOW_SIZE.width,
    height: input.height ?? MAIN_WINDOW_SIZE.height,
    minWidth: MAIN_WINDOW_SIZE.minWidth,
    minHeight: MAIN_WINDOW_SIZE.minHeight,
    // Shown on 'ready-to-show' so the user never sees an empty frame.
    show: false,
    title: input.title ?? 'Labvault',
    backgroundColor: WINDOW_BACKGROUND,
    autoHideMenuBar: true,
    webPreferences: hardenedWebPreferences(input.preloadPath, input.allowDevTools ?? false),
  };
  if (input.iconPath !== undefined) options.icon = input.iconPath;
  return options;
}
