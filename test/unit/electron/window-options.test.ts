/** The options every Labvault window is built from (pure; no Electron needed). */
import { describe, expect, it } from 'vitest';
import { buildWindowOptions, hardenedWebPreferences } from '../../../electron/desktop/window-options.ts';

const PRELOAD = '/app/out/preload/preload.cjs';

describe('hardened window options', () => {
  it('sets every security preference the design requires', () => {
    const options = buildWindowOptions({ preloadPath: PRELOAD });
    expect(options.webPreferences).toEqual({
      preload: PRELOAD,
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
      devTools: false,
    });
  });

  it('never enables extra Blink features or Node through any other key', () => {
    const preferences = hardenedWebPreferences(PRELOAD) as unknown as Record<string, unknown>;
    for (const key of ['enableBlinkFeatures', 'nodeIntegrationInWorker', 'enableRemoteModule', 'allowpopups', 'plugins']) {
      expect(preferences[key] === undefined || preferences[key] === false, key).toBe(true);
    }
  });

  it('opens DevTools only when asked (development builds)', () => {
    expect(buildWindowOptions({ preloadPath: PRELOAD, allowDevTools: true }).webPreferences.devTools).toBe(true);
    expect(buildWindowOptions({ preloadPath: PRELOAD }).webPreferences.devTools).toBe(false);
  });

  it('starts hidden (shown on ready-to-show), titled Labvault, with a sensible minimum size', () => {
    const options = buildWindowOptions({ preloadPath: PRELOAD, iconPath: '/app/out/icons/icon.png' });
    expect(options.show).toBe(false);
    expect(options.title).toBe('Labvault');
    expect(options.icon).toBe('/app/out/icons/icon.png');
    expect(options.minWidth).toBeLessThanOrEqual(options.width);
    expect(options.minHeight).toBeLessThanOrEqual(options.height);
  });

  it('returns a fresh object each time, so one window cannot weaken another', () => {
    const first = buildWindowOptions({ preloadPath: PRELOAD });
    (first.webPreferences as { sandbox: boolean }).sandbox = false;
    expect(buildWindowOptions({ preloadPath: PRELOAD }).webPreferences.sandbox).toBe(true);
  });
});
