/**
 * `labvault ui`: serves the built renderer and the contract over a WebSocket on
 * 127.0.0.1 only. Every request needs the random per-start token: in the URL
 * (?token=...) or in the HttpOnly cookie set when the page was first opened with it.
 * Host and Origin headers are checked against the listening address (no DNS rebinding).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { WebSocketServer, type WebSocket } from 'ws';
import { dispatchChannel } from '../../shared/contract/dispatch.ts';
import { TOKEN_PARAM, WS_PATH, type ClientMessage, type ServerMessage } from '../../shared/contract/wire.ts';
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { serveStatic } from './static-files.ts';

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'labvault_token';

function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

function requestToken(request: IncomingMessage): string | null {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const fromQuery = url.searchParams.get(TOKEN_PARAM);
  if (fromQuery) return fromQuery;
  const cookie = request.headers.cookie ?? '';
  const match = cookie.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${COOKIE}=`));
  return match ? match.slice(COOKIE.length + 1) : null;
}

export async function startBrowserHost(engine: Engine, options: { port?: number; rendererDir: string }): Promise<BrowserHost> {
  if (!existsSync(options.rendererDir)) {
    throw new LabvaultError(ErrorCodes.NOT_FOUND, `The UI is not built (${options.rendererDir} is missing). Run "npm run build" first.`);
  }
  const token = randomBytes(24).toString('base64url');
  let port = options.port ?? 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server: Server = createServer((request, response) => {
    if (!allowedHosts().has(request.headers.host ?? '')) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden host');
      return;
    }
    const given = requestToken(request);
    if (!tokenMatches(token, given)) {
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' }).end('Labvault: this address needs the token printed by "labvault ui". Open the full URL it printed.');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.searchParams.has(TOKEN_PARAM)) {
      response.setHeader('set-cookie', `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    }
    serveStatic(options.rendererDir, url.pathname, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin;
    const originOk = origin === undefined || [...allowedHosts()].some((host) => origin === `http://${host}`);
    if (url.pathname !== WS_PATH || !allowedHosts().has(request.headers.host ?? '') || !originOk || !tokenMatches(token, requestToken(request))) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (message: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = engine.events.onAny((event, payload) => send({ type: 'event', event, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', (data) => {
      let message: ClientMessage;
      try {
        message = JSON.parse(String(data)) as ClientMessage;
      } catch {
        return;
      }
      if (message.type !== 'invoke' || typeof message.id !== 'number') return;
      dispatchChannel(engine.handlers, message.channel, message.input).then((result) => send({ type: 'result', id: message.id, result }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    token,
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
