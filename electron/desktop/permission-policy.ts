/**
 * Which web permissions a Labvault page may have: only desktop notifications, and only
 * for our own app:// pages. Everything else (camera, geolocation, clipboard, USB...)
 * is refused. No electron import, so tests check it.
 */
import { isAppUrl } from './app-origin.ts';

export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications']);

export function isPermissionGranted(permission: string, pageUrl: string | undefined | null): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(pageUrl);
}
