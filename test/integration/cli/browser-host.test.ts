import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { Engine } from '../../../electron/engine/engine.ts';
import { startBrowserHost, type BrowserHost } from '../../../electron/host/browser-host.ts';
import { channelNames } from '../../../shared/contract/channels.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';

let root: string;
let engine: Engine;
let host: BrowserHost;

beforeAll(async () => {
  root = makeTempDir('labvault-host-');
  const rendererDir = join(root, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Labvault</title>');
  engine = new Engine({ face: 'browser', appHome: join(root, 'home') });
  host = await startBrowserHost(engine, { port: 0, rendererDir });
});

afterAll(async () => {
  await host.close();
  engine.close();
  removeDir(root);
});

function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
  });
}

describe('browser host', () => {
  it('listens on 127.0.0.1 only and prints a URL with its token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/);
  });

  it('refuses HTTP requests without the token, or with a wrong one', async () => {
    const base = `http://127.0.0.1:${host.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    const ok = await fetch(host.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: `/?token=${host.token}`, headers: { host: 'evil.example:80' } }, (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(403);
  });

  it('refuses a WebSocket without the token and serves the contract with it', async () => {
    await expect(connect(`ws://127.0.0.1:${host.port}/ws`)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${host.port}/ws?token=nope`)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`, { origin: 'http://evil.example' })).rejects.toThrow(/401/);
    const socket = await connect(`ws://127.0.0.1:${host.port}/ws?token=${host.token}`);
    const reply = new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)))));
    socket.send(JSON.stringify({ type: 'invoke', id: 7, channel: channelNames.find((name) => name.startsWith('vaults') && name.endsWith('.list')), input: {} }));
    expect(await reply).toEqual({ type: 'result', id: 7, result: { ok: true, value: [] } });
    socket.close();
  });
});
