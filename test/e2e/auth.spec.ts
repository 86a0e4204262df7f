/**
 * The browser host refuses everyone without its per-start token: plain HTTP gets 401,
 * a WebSocket without the token is refused; with the token both work. When the host
 * stops, the UI says it is disconnected.
 */
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';

let host: LabvaultHost;
test.beforeAll(async () => { host = await startLabvaultHost(); });
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

function openSocket(url: string): Promise<{ opened: boolean; status: number | null }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers: { origin: url.replace(/^ws/, 'http').replace(/\/ws.*$/, '') } });
    socket.once('open', () => { socket.close(); resolve({ opened: true, status: null }); });
    socket.once('unexpected-response', (_request, response) => { resolve({ opened: false, status: response.statusCode ?? null }); socket.terminate(); });
    socket.once('error', () => resolve({ opened: false, status: null }));
  });
}

test('HTTP requests without the token get 401, with it 200', async ({ request }) => {
  const refused = await request.get(`${host.origin}/`);
  expect(refused.status()).toBe(401);
  expect(await refused.text()).toContain('needs the token');
  const wrong = await request.get(`${host.origin}/?token=not-the-token`);
  expect(wrong.status()).toBe(401);
  const asset = await request.get(`${host.origin}/index.html`);
  expect(asset.status()).toBe(401);
  const ok = await request.get(host.url);
  expect(ok.status()).toBe(200);
  expect(ok.headers()['content-security-policy']).toContain("script-src 'self'");
});

test('a WebSocket without the token is refused, with the token it opens', async () => {
  const base = `ws://127.0.0.1:${host.port}/ws`;
  expect(await openSocket(base)).toEqual({ opened: false, status: 401 });
  expect(await openSocket(`${base}?token=wrong`)).toEqual({ opened: false, status: 401 });
  expect((await openSocket(`${base}?token=${host.token}`)).opened).toBe(true);
});

test('a browser page without the token cannot open a socket either', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  const opened = await page.evaluate(async (port) => new Promise<boolean>((resolve) => {
    // The page's own cookie is sent on same-origin sockets: use the other loopback name.
    const socket = new WebSocket(`ws://localhost:${port}/ws`);
    socket.onopen = () => { socket.close(); resolve(true); };
    socket.onerror = () => resolve(false);
  }), host.port);
  expect(opened).toBe(false);
});

test('the UI shows a banner when the host goes away', async ({ page }) => {
  await page.goto(host.url);
  await page.getByRole('link', { name: 'Vaults' }).click();
  await expect(page.getByText('No vaults yet')).toBeVisible();
  await host.stop();
  await expect(page.getByTestId('connection-banner')).toContainText('Disconnected from Labvault.');
  await shot(page, 'disconnected-banner');
});
