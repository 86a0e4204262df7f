/**
 * The browser host's per-start token: read from the page URL once, kept in
 * sessionStorage so a reload without it still connects, and removed from the address
 * bar so it does not end up in screenshots or shared links.
 */
import { TOKEN_PARAM } from '../../shared/contract/wire.ts';

const STORAGE_KEY = 'labvault.token';

export function takeSessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get(TOKEN_PARAM);
  if (fromUrl) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage disabled: the cookie set by the host still authorises reloads.
    }
    url.searchParams.delete(TOKEN_PARAM);
    window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
