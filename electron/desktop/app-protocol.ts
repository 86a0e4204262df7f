/**
 * The `app://labvault/` protocol that serves the built renderer. Registered as a
 * standard, secure scheme (before the app is ready) so the page has a real origin
 * ('self' in the Content-Security-Policy, ES modules, fetch) without file:// and its
 * access to the whole disk. Only files under out/renderer are ever answered.
 */
import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import type { AppLog } from './app-log.ts';
import { APP_SCHEME } from './app-origin.ts';
import { DESKTOP_CONTENT_SECURITY_POLICY, lookupRendererFile } from './renderer-files.ts';

/**
 * Must run before `app.whenReady()` resolves. corsEnabled gives the scheme ordinary web
 * CORS rules: Vite's `<script type="module" crossorigin>` loads same-origin, and other
 * origins cannot read our files (no Access-Control-Allow-Origin is ever sent).
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
    },
  ]);
}

function securityHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': DESKTOP_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** Call once the app is ready. */
export function serveRendererFiles(rendererDir: string, log: AppLog): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const lookup = lookupRendererFile(rendererDir, request.url);
    if (lookup.kind === 'refused') {
      log.warn(`app protocol: refused ${lookup.reason}`);
      return new Response('Forbidden', { status: lookup.status, headers: securityHeaders('text/plain; charset=utf-8') });
    }
    try {
      const body = await readFile(lookup.path);
      return new Response(new Uint8Array(body), { status: 200, headers: securityHeaders(lookup.contentType) });
    } catch (error) {
      const missingUi = lookup.path.endsWith('index.html');
      if (missingUi) log.error(`The UI is not built: ${lookup.path} is missing. Run "npm run build".`);
      else log.warn(`app protocol: ${lookup.path}: ${String(error)}`);
      return new Response(missingUi ? 'Labvault: the UI is not built. Run "npm run build".' : 'Not found', { status: 404, headers: securityHeaders('text/plain; charset=utf-8') });
    }
  });
}
