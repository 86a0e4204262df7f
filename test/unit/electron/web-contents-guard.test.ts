/**
 * The hardening applied to every webContents and its session. Electron does not run
 * here (no binary), so WebContents and Session are stand-ins that record the handlers
 * the guard installs; the handlers themselves are the real code.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { Session, WebContents } from 'electron';
import { APP_ENTRY_URL } from '../../../electron/desktop/app-origin.ts';
import { DESKTOP_CONTENT_SECURITY_POLICY } from '../../../electron/desktop/renderer-files.ts';
import { guardWebContents, hardenSession } from '../../../electron/desktop/web-contents-guard.ts';

type HeadersListener = (details: { url: string; resourceType: string; responseHeaders?: Record<string, string[]> }, callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void) => void;

function standInSession() {
  const installed: { request?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void; check?: (contents: unknown, permission: string) => boolean; headers?: HeadersListener; count: number } = { count: 0 };
  const session = {
    setPermissionRequestHandler: (handler: typeof installed.request) => { installed.request = handler; installed.count += 1; },
    setPermissionCheckHandler: (handler: typeof installed.check) => { installed.check = handler; },
    webRequest: { onHeadersReceived: (listener: HeadersListener) => { installed.headers = listener; } },
  };
  return { session: session as unknown as Session, installed };
}

function standInContents(url: string, session: Session) {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: string }) | undefined;
  const contents = Object.assign(emitter, {
    session,
    getURL: () => url,
    setWindowOpenHandler: (handler: typeof openHandler) => { openHandler = handler; },
  });
  return { contents: contents as unknown as WebContents, emitter, open: (target: string) => openHandler!({ url: target }) };
}

const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function fire(emitter: EventEmitter, name: string, ...args: unknown[]): boolean {
  let prevented = false;
  emitter.emit(name, { preventDefault: () => { prevented = true; } }, ...args);
  return prevented;
}

describe('guardWebContents (stand-in WebContents: Electron does not run here)', () => {
  it('refuses navigation, external redirects, new windows and webviews', () => {
    const { session } = standInSession();
    const { contents, emitter, open } = standInContents(APP_ENTRY_URL, session);
    guardWebContents(contents, silentLog);
    expect(fire(emitter, 'will-navigate', 'https://example.com/')).toBe(true);
    expect(fire(emitter, 'will-navigate', APP_ENTRY_URL)).toBe(true);
    expect(fire(emitter, 'will-redirect', 'https://example.com/')).toBe(true);
    expect(fire(emitter, 'will-redirect', APP_ENTRY_URL)).toBe(false);
    expect(open('https://example.com/')).toEqual({ action: 'deny' });
    expect(open(APP_ENTRY_URL)).toEqual({ action: 'deny' });
    expect(fire(emitter, 'will-attach-webview', {}, {})).toBe(true);
  });
});

describe('hardenSession (stand-in Session)', () => {
  it('grants notifications to our pages only and nothing else', () => {
    const { session, installed } = standInSession();
    hardenSession(session, silentLog);
    const answers: boolean[] = [];
    const ours = { getURL: () => APP_ENTRY_URL };
    const foreign = { getURL: () => 'https://example.com/' };
    installed.request!(ours, 'notifications', (granted) => answers.push(granted));
    installed.request!(foreign, 'notifications', (granted) => answers.push(granted));
    installed.request!(ours, 'media', (granted) => answers.push(granted));
    installed.request!(ours, 'openExternal', (granted) => answers.push(granted));
    expect(answers).toEqual([true, false, false, false]);
    expect(installed.check!(ours, 'notifications')).toBe(true);
    expect(installed.check!(null, 'notifications')).toBe(false);
    expect(installed.check!(ours, 'clipboard-read')).toBe(false);
  });

  it('replaces any Content-Security-Policy header with the desktop policy the app protocol sends', () => {
    const { session, installed } = standInSession();
    hardenSession(session, silentLog);
    let response: { responseHeaders?: Record<string, string | string[]> } = {};
    installed.headers!({ url: APP_ENTRY_URL, resourceType: 'mainFrame', responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, (answer) => { response = answer; });
    expect(response.responseHeaders).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [DESKTOP_CONTENT_SECURITY_POLICY] });
  });

  it('installs its handlers once per session', () => {
    const { session, installed } = standInSession();
    hardenSession(session, silentLog);
    hardenSession(session, silentLog);
    expect(installed.count).toBe(1);
  });
});
