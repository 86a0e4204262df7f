/**
 * One function hardens every webContents the app ever creates (hooked on
 * 'web-contents-created', so windows made later are covered too): navigation away from
 * the app is refused, window.open is refused, <webview> is refused, preload failures and
 * renderer crashes are logged, and the session grants no permission but notifications
 * and adds the Content-Security-Policy to every response.
 */
import type { Session, WebContents } from 'electron';
import type { AppLog } from './app-log.ts';
import { isAppUrl } from './app-origin.ts';
import { isPermissionGranted } from './permission-policy.ts';

const hardenedSessions = new WeakSet<Session>();

function shortUrl(url: string): string {
  return url.length > 200 ? `${url.slice(0, 200)}...` : url;
}

export function hardenSession(session: Session, log: AppLog): void {
  if (hardenedSessions.has(session)) return;
  hardenedSessions.add(session);
  session.setPermissionRequestHandler((contents, permission, callback) => {
    const granted = isPermissionGranted(permission, contents.getURL());
    if (!granted) log.warn(`Refused permission "${permission}" for ${shortUrl(contents.getURL())}`);
    callback(granted);
  });
  session.setPermissionCheckHandler((contents, permission) => isPermissionGranted(permission, contents?.getURL()));
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    // Literal (not the constant) so static checkers can read the policy; a test checks
    // that it equals DESKTOP_CONTENT_SECURITY_POLICY, which the app protocol sends.
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': ["default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; frame-src 'none'; worker-src 'none'"] } });
  });
}

export function guardWebContents(contents: WebContents, log: AppLog): void {
  hardenSession(contents.session, log);
  contents.on('will-navigate', (event, url) => {
    // The renderer is a single-page app: it never navigates the document itself.
    event.preventDefault();
    log.warn(`Refused navigation to ${shortUrl(url)}`);
  });
  contents.on('will-redirect', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    log.warn(`Refused redirect to ${shortUrl(url)}`);
  });
  // No external link is allow-listed: every new window is denied.
  contents.setWindowOpenHandler((details) => {
    log.warn(`Refused to open a window for ${shortUrl(details.url)}`);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('Refused a <webview>.');
  });
  contents.on('preload-error', (_event, preloadPath, error) => {
    log.error(`Preload ${preloadPath} failed:`, error);
  });
  contents.on('render-process-gone', (_event, details) => {
    log.error(`Renderer process gone (${details.reason}, exit code ${details.exitCode}).`);
  });
}
