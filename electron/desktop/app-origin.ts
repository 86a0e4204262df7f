/**
 * The desktop app's own origin: the renderer is served from `app://labvault/` by a
 * privileged custom protocol (see app-protocol.ts), never from file:// or http://.
 * IPC senders and navigations are checked against it. No electron import: testable in Node.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'labvault';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True when `url` is a page of our own renderer (scheme, host, no credentials, no port). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (typeof url !== 'string' || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.hostname === APP_HOST && parsed.port === '' && parsed.username === '' && parsed.password === '';
}
