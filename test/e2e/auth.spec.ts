/**
 * The browser host refuses everyone without a session: plain HTTP gets 401, a WebSocket
 * without the session cookie is refused. The address `labvault ui` prints carries a one-time
 * code: it signs one browser in (an HttpOnly, SameSite=Strict cookie named after the port)
 * and redirects to the clean address; used again it is refused. Messages that are not
 * requests get an error answer and never end the host. When the host stops, the UI says it
 * is disconnected.
 */
import { expect, test } from '@playwright/test';
import WebSocket from 'ws';
import { startLabvaultHost, type LabvaultHost } from './fixtures/labvault-host.ts';
import { shot } from './fixtures/screenshots.ts';

let host: LabvaultHost;
test.beforeAll(async () => { host = await startLabvaultHost(); });
test.afterAll(async () => { await host?.stop(); });
test.describe.configure({ mode: 'serial' });

function socketHeaders(url: string, cookie?: string): Record<string, string> {
  return { origin: url.replace(/^ws/, 'http').replace(/\/ws.*$/, ''), ...(cookie ? { cookie } : {}) };
}

function openSocket(url: string, cookie?: string): Promise<{ opened: boolean; status: number | null }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers: socketHeaders(url, cookie) });
    socket.once('open', () => { socket.close(); resolve({ opened: true, status: null }); });
    socket.once('unexpected-response', (_request, response) => { resolve({ opened: false, status: response.statusCode ?? null }); socket.terminate(); });
    socket.once('error', () => resolve({ opened: false, status: null }));
  });
}

test('HTTP requests without a session get 401; a sign-in code works once', async ({ playwright }) => {
  const anonymous = await playwright.request.newContext();
  const refused = await anonymous.get(`${host.origin}/`);
  expect(refused.status()).toBe(401);
  expect(await refused.text()).toContain('not signed in');
  expect((await anonymous.get(`${host.origin}/?code=not-a-code`)).status()).toBe(401);
  expect((await anonymous.get(`${host.origin}/?token=anything`)).status()).toBe(401);
  expect((await anonymous.get(`${host.origin}/index.html`)).status()).toBe(401);

  const url = await host.signInUrl();
  const signedIn = await anonymous.get(url, { maxRedirects: 0 });
  expect(signedIn.status()).toBe(303);
  expect(signedIn.headers()['location']).toBe('/');
  const cookie = signedIn.headers()['set-cookie'] ?? '';
  expect(cookie).toMatch(new RegExp(`^labvault_session_${host.port}=[\\w-]{20,}; HttpOnly; SameSite=Strict; Path=/`));
  const page = await anonymous.get(`${host.origin}/`);
  expect(page.status()).toBe(200);
  expect(page.headers()['content-security-policy']).toContain("script-src 'self'");
  await anonymous.dispose();

  const other = await playwright.request.newContext();
  const reused = await other.get(url, { maxRedirects: 0 });
  expect(reused.status()).toBe(401);
  expect(reused.headers()['set-cookie']).toBeUndefined();
  await other.dispose();
});

test('a page opened with the printed address lands on the clean address, signed in', async ({ page, context }) => {
  await page.goto(await host.signInUrl());
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  expect(page.url()).toBe(`${host.origin}/`);
  const cookies = await context.cookies(host.origin);
  expect(cookies.map((cookie) => ({ name: cookie.name, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite })))
    .toEqual([{ name: `labvault_session_${host.port}`, httpOnly: true, sameSite: 'Strict' }]);
  expect(await page.evaluate(() => document.cookie)).toBe('');
  await page.reload();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
});

test('a WebSocket without the session cookie is refused, with it it opens', async () => {
  const base = `ws://127.0.0.1:${host.port}/ws`;
  expect(await openSocket(base)).toEqual({ opened: false, status: 401 });
  expect(await openSocket(`${base}?token=wrong`)).toEqual({ opened: false, status: 401 });
  const cookie = await host.session();
  expect(await openSocket(base, cookie.replace(`_${host.port}=`, `_${host.port + 1}=`))).toEqual({ opened: false, status: 401 });
  expect((await openSocket(base, cookie)).opened).toBe(true);
});

test('messages that are not requests get an error answer and the host keeps running', async ({ page }) => {
  const base = `ws://127.0.0.1:${host.port}/ws`;
  const cookie = await host.session();
  const socket = new WebSocket(base, { headers: socketHeaders(base, cookie) });
  const replies: unknown[] = [];
  socket.on('message', (data) => replies.push(JSON.parse(String(data))));
  await new Promise((resolve) => socket.once('open', resolve));
  const bad = ['42', 'null', '[]', '"a string"', '{not json', '{"type":"invoke"}'];
  for (const message of bad) socket.send(message);
  await expect.poll(() => replies.filter((reply) => (reply as { type?: string }).type === 'error').length).toBe(bad.length);
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  socket.send('x'.repeat(2 * 1024 * 1024));
  // 1009 (message too big) when the close frame arrives; 1006 when the server closed the
  // socket while this client was still writing the 2 MiB (a reset beats the frame under load).
  expect([1009, 1006]).toContain(await closed);
  expect(host.alive()).toBe(true);

  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Vaults' }).click();
  await expect(page.getByText('No vaults yet')).toBeVisible();
  expect(host.alive()).toBe(true);
});

test('a browser page cannot open a socket under another host name (no cookie there)', async ({ page }) => {
  await page.goto(await host.signInUrl());
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
  await page.goto(await host.signInUrl());
  await page.getByRole('link', { name: 'Vaults' }).click();
  await expect(page.getByText('No vaults yet')).toBeVisible();
  await host.stop();
  await expect(page.getByTestId('connection-banner')).toContainText('Disconnected from Labvault.');
  await shot(page, 'disconnected-banner');
});
