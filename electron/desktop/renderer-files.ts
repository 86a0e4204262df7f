/**
 * Maps an `app://labvault/...` request onto a file of the built renderer (out/renderer),
 * refusing anything outside that folder. Pure path logic (no electron import), so the
 * traversal rules are tested under plain Node; app-protocol.ts does the serving.
 */
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { isAppUrl } from './app-origin.ts';
import { CONTENT_TYPES } from '../host/content-types.ts';

export const RENDERER_ENTRY = 'index.html';

/** The desktop window's policy: stricter than the browser host's (no WebSocket, no frames). */
export const DESKTOP_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
].join('; ');


export type RendererFileLookup =
  | { kind: 'file'; path: string; contentType: string; fallback: boolean }
  | { kind: 'refused'; status: 403 | 404; reason: string };

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Which file answers `requestUrl`. Paths without an extension get index.html (the
 * single-page app's routes); paths with one must name a file under `rendererRoot`.
 * Existence is checked by the caller: a missing asset is its 404.
 */
export function lookupRendererFile(rendererRoot: string, requestUrl: string): RendererFileLookup {
  if (!isAppUrl(requestUrl)) return { kind: 'refused', status: 403, reason: `not an app:// URL: ${requestUrl.slice(0, 120)}` };
  const root = resolve(rendererRoot);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return { kind: 'refused', status: 403, reason: 'malformed path encoding' };
  }
  if (pathname.includes('\0')) return { kind: 'refused', status: 403, reason: 'NUL in path' };
  const wanted = pathname.replace(/^\/+/, '');
  if (wanted === '' || extname(wanted) === '') {
    return { kind: 'file', path: join(root, RENDERER_ENTRY), contentType: contentTypeOf(RENDERER_ENTRY), fallback: wanted !== '' && wanted !== RENDERER_ENTRY };
  }
  const full = resolve(root, wanted);
  const inside = relative(root, full);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    return { kind: 'refused', status: 403, reason: `outside the renderer folder: ${wanted.slice(0, 120)}` };
  }
  return { kind: 'file', path: full, contentType: contentTypeOf(full), fallback: false };
}
