/**
 * The built renderer (out/renderer) runs under the desktop window's Content-Security-Policy
 * with no violation, in Debian's Chromium (the Electron window is Chromium too). The page
 * gets a stand-in `window.labvault` so it takes its desktop path; every call answers an
 * error, which the UI shows. Skips when Chromium or the built renderer is missing.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ORIGIN } from '../../../electron/desktop/app-origin.ts';
import { DESKTOP_CONTENT_SECURITY_POLICY, lookupRendererFile } from '../../../electron/desktop/renderer-files.ts';

const CHROMIUM = '/usr/bin/chromium';
const rendererDir = join(import.meta.dirname, '..', '..', '..', 'out', 'renderer');
const skip = !existsSync(CHROMIUM) ? `Chromium not installed at ${CHROMIUM}: skipping` : !existsSync(join(rendererDir, 'index.html')) ? 'Renderer not built (run npm run build): skipping' : null;
if (skip) console.log(`renderer-csp.test.ts: ${skip}`);

let server: Server | null = null;
let base = '';

beforeAll(async () => {
  if (skip) return;
  // Same lookup and headers as the app:// protocol, over http for Chromium.
  server = createServer((request, response) => {
    const lookup = lookupRendererFile(rendererDir, `${APP_ORIGIN}${request.url ?? '/'}`);
    if (lookup.kind === 'refused') {
      response.writeHead(lookup.status).end();
      return;
    }
    readFile(lookup.path).then(
      (body) => response.writeHead(200, { 'content-type': lookup.contentType, 'content-security-policy': DESKTOP_CONTENT_SECURITY_POLICY }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
});

describe('built renderer under the desktop Content-Security-Policy', () => {
  it.skipIf(skip !== null)(skip ?? 'renders with no CSP violation and no page error', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.addInitScript(() => {
        const scope = window as unknown as Record<string, unknown>;
        const violations: string[] = [];
        scope.__cspViolations = violations;
        document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective}: ${event.blockedURI}`));
        scope.labvault = {
          invoke: async () => ({ ok: false, error: { code: 'UNSUPPORTED', message: 'stand-in bridge' } }),
          subscribe: () => () => undefined,
        };
      });
      await page.goto(`${base}/`);
      await page.waitForFunction(() => (document.getElementById('root')?.children.length ?? 0) > 0, undefined, { timeout: 15_000 });
      await page.waitForTimeout(300);
      const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
      // zod 4 probes for eval with a caught `new Function('')` unless `z.config({ jitless: true })`
      // is set; the CSP blocks it (as intended) and zod falls back. Anything else is a bug.
      const ZOD_EVAL_PROBE = 'script-src: eval';
      if (violations.includes(ZOD_EVAL_PROBE)) console.log('renderer-csp.test.ts: zod\'s eval probe was blocked (set z.config({ jitless: true }) in the renderer to silence it)');
      expect(violations.filter((violation) => violation !== ZOD_EVAL_PROBE)).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
