import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Engine } from '../../../electron/engine/engine.ts';
import { MAX_MESSAGE_BYTES, startBrowserHost, type BrowserHost, type SignInAnnouncement } from '../../../electron/host/browser-host.ts';
import { channelNames } from '../../../shared/contract/channels.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let root: string;
let rendererDir: string;
let engine: Engine;
let host: BrowserHost;
const announced: { url: string; reason: SignInAnnouncement }[] = [];
const LIST_CHANNEL = channelNames.find((name) => name.startsWith('vaults') && name.endsWith('.list'));

beforeAll(async () => {
  root = makeTempDir('labvault-host-');
  rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Labvault</title>');
  engine = new Engine({ face: 'browser', appHome: join(root, 'home') });
  host = await startBrowserHost(engine, { port: 0, rendererDir, announce: (url, reason) => announced.push({ url, reason }) });
});

afterAll(async () => {
  await host.close();
  await engine.close();
  removeDir(root);
});

/** Spends a sign-in address; returns the redirect and the session cookie ("name=value"). */
async function signIn(url: string): Promise<{ status: number; location: string | null; cookie: string | null; setCookie: string | null }> {
  const response = await fetch(url, { redirect: 'manual' });
  const setCookie = response.headers.get('set-cookie');
  return { status: response.status, location: response.headers.get('location'), cookie: setCookie ? setCookie.split(';')[0] ?? null : null, setCookie };
}

async function session(): Promise<string> {
  const { cookie } = await signIn(host.signInUrl(60_000));
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
  });
}

/** Collects the socket's messages; `next()` waits for the next one. */
function messages(socket: WebSocket): { next(): Promise<unknown> } {
  const queue: unknown[] = [];
  const waiting: ((value: unknown) => void)[] = [];
  socket.on('message', (data) => {
    const value = JSON.parse(String(data)) as unknown;
    const waiter = waiting.shift();
    if (waiter) waiter(value);
    else queue.push(value);
  });
  return { next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve))) };
}

describe('browser host', () => {
  it('listens on 127.0.0.1 only and announces a sign-in URL with a one-time code', () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
    expect(announced[0]?.reason).toBe('start');
    expect(announced[0]?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?code=[A-Za-z0-9_-]{20,}$/);
  });

  it('exchanges a code once for an HttpOnly SameSite=Strict cookie named after the port, and redirects to the clean URL', async () => {
    const url = host.signInUrl(60_000);
    const first = await signIn(url.replace('/?', '/vaults?tab=all&'));
    expect(first.status).toBe(303);
    expect(first.location).toBe('/vaults?tab=all');
    expect(host.cookieName).toBe(`labvault_session_${host.port}`);
    expect(first.setCookie).toMatch(new RegExp(`^labvault_session_${host.port}=[A-Za-z0-9_-]{20,}; HttpOnly; SameSite=Strict; Path=/$`));
    const page = await fetch(`${host.origin}/vaults?tab=all`, { headers: { cookie: first.cookie as string } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);

    const reused = await signIn(url);
    expect(reused.status).toBe(401);
    expect(reused.setCookie).toBeNull();
  });

  it('refuses requests without a session, a wrong code, an expired code or another port\'s cookie name', async () => {
    expect((await fetch(`${host.origin}/`)).status).toBe(401);
    expect((await fetch(`${host.origin}/?code=wrong`)).status).toBe(401);
    expect((await fetch(`${host.origin}/?token=anything`)).status).toBe(401);
    const expired = host.signInUrl(-1);
    expect((await signIn(expired)).status).toBe(401);
    const cookie = await session();
    const value = cookie.split('=')[1] as string;
    expect((await fetch(`${host.origin}/`, { headers: { cookie: `labvault_session_${host.port + 1}=${value}` } })).status).toBe(401);
    expect((await fetch(`${host.origin}/`, { headers: { cookie } })).status).toBe(200);
  });

  it('announces a new address for the next browser once the printed one is used', async () => {
    const printed = announced.at(-1) as { url: string };
    const before = announced.length;
    expect((await signIn(printed.url)).status).toBe(303);
    expect(announced.length).toBe(before + 1);
    expect(announced.at(-1)?.reason).toBe('used');
    expect(announced.at(-1)?.url).not.toBe(printed.url);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const cookie = await session();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example:80', cookie } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('refuses a WebSocket without a session and serves the contract with one', async () => {
    const ws = `ws://127.0.0.1:${host.port}/ws`;
    await expect(connect(ws)).rejects.toThrow(/401/);
    await expect(connect(`${ws}?code=${new URL(host.signInUrl(60_000)).searchParams.get('code') ?? ''}`)).rejects.toThrow(/401/);
    const cookie = await session();
    await expect(connect(ws, { cookie, origin: 'http://evil.example' })).rejects.toThrow(/401/);
    const socket = await connect(ws, { cookie });
    const inbox = messages(socket);
    socket.send(JSON.stringify({ type: 'invoke', id: 7, channel: LIST_CHANNEL, input: {} }));
    expect(await inbox.next()).toEqual({ type: 'result', id: 7, result: { ok: true, value: [] } });
    socket.close();
  });

  it('answers messages that are not requests with an error and keeps serving', async () => {
    const socket = await connect(`ws://127.0.0.1:${host.port}/ws`, { cookie: await session() });
    const inbox = messages(socket);
    for (const bad of ['42', 'null', '[1,2]', '"text"', '{not json', 'true', '{"type":"invoke"}', '{"type":"invoke","id":-1,"channel":"x"}']) {
      socket.send(bad);
      const reply = await inbox.next() as { type: string; error?: { code: string; message: string } };
      expect(reply.type, bad).toBe('error');
      expect(reply.error?.code).toBe('INVALID_INPUT');
    }
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await inbox.next()).toMatchObject({ type: 'error' });
    socket.send(JSON.stringify({ type: 'bogus', id: 3 }));
    expect(await inbox.next()).toMatchObject({ type: 'result', id: 3, result: { ok: false, error: { code: 'INVALID_INPUT' } } });
    socket.send(JSON.stringify({ type: 'invoke', id: 4, channel: 'no.such', input: null }));
    expect(await inbox.next()).toMatchObject({ type: 'result', id: 4, result: { ok: false, error: { code: 'INVALID_INPUT' } } });
    socket.send(JSON.stringify({ type: 'invoke', id: 5, channel: LIST_CHANNEL, input: {} }));
    expect(await inbox.next()).toEqual({ type: 'result', id: 5, result: { ok: true, value: [] } });
    socket.close();
  });

  it('closes only the socket of a message above the size limit (1009); the host keeps serving', async () => {
    const socket = await connect(`ws://127.0.0.1:${host.port}/ws`, { cookie: await session() });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect(await closed).toBe(1009);
    const again = await connect(`ws://127.0.0.1:${host.port}/ws`, { cookie: await session() });
    const inbox = messages(again);
    again.send(JSON.stringify({ type: 'invoke', id: 9, channel: LIST_CHANNEL, input: {} }));
    expect(await inbox.next()).toEqual({ type: 'result', id: 9, result: { ok: true, value: [] } });
    again.close();
  });
});

describe('two hosts on one machine', () => {
  it('use cookies with different names, so signing in to one does not sign out the other', async () => {
    const other = await startBrowserHost(engine, { port: 0, rendererDir });
    try {
      expect(other.cookieName).not.toBe(host.cookieName);
      const mine = await session();
      const theirs = (await signIn(other.signInUrl(60_000))).cookie as string;
      expect(theirs.startsWith(`labvault_session_${other.port}=`)).toBe(true);
      const jar = `${mine}; ${theirs}`;
      expect((await fetch(`${host.origin}/`, { headers: { cookie: jar } })).status).toBe(200);
      expect((await fetch(`${other.origin}/`, { headers: { cookie: jar } })).status).toBe(200);
      expect((await fetch(`${other.origin}/`, { headers: { cookie: mine.replace(String(host.port), String(other.port)) } })).status).toBe(401);
    } finally {
      await other.close();
    }
  });
});
