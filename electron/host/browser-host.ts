/**
 * `labvault ui`: serves the built renderer and the contract over a WebSocket on
 * 127.0.0.1 only. A browser signs in with a one-time code (browser-sessions.ts): the
 * address printed or opened carries it (?code=...), the host spends it, sets an HttpOnly,
 * SameSite=Strict session cookie named after the port, and redirects to the same address
 * without the code. Every other request needs that cookie. Host and Origin headers are
 * checked against the listening address (no DNS rebinding). A WebSocket message that is
 * not a request gets an error answer; one above MAX_MESSAGE_BYTES closes that socket (1009);
 * neither ends the process.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { WebSocket } from 'ws';
import { dispatchChannel, errorToInfo } from '../../shared/contract/dispatch.ts';
import { SIGN_IN_CODE_PARAM, WS_PATH, type ServerMessage } from '../../shared/contract/wire.ts';
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';
import type { Engine } from '../engine/index.ts';
import { BrowserSessions, cookieValue, sessionCookieHeader, sessionCookieName } from './browser-sessions.ts';
import { parseClientMessage } from './client-message.ts';
import { serveStatic } from './static-files.ts';
import { FAVICON_PATHS, FAVICON_SVG } from './favicon.ts';
import { UI_CONTROL_HEADER, UI_CONTROL_PATH } from './ui-state.ts';

// node:http is loaded with require, only when a host starts: an ESM import of node:http builds its export
// facade, which reads node:http's lazy getters and so loads undici (about 80 ms of every CLI command). ws is a
// dynamic import() when a host starts (it loads node:https, node:tls and streams: about 60 ms of CPU of every
// CLI command otherwise); the server package still ships it (runtime-modules.mjs reads import('ws') too).
const requireBuiltin = createRequire(import.meta.url);

/** Largest WebSocket message accepted: contract inputs are names, paths and settings. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long a printed sign-in code stays valid. */
export const PRINTED_CODE_TTL_MS = 10 * 60_000;

/** How long an address handed to `labvault ui --open` through the control request stays valid. */
const CONTROL_CODE_TTL_MS = 60_000;

export type SignInAnnouncement = 'start' | 'used' | 'expired';

export interface BrowserHostOptions {
  port?: number;
  rendererDir: string;
  /**
   * Receives the sign-in address for the terminal: at start, after it was used (for the
   * next browser) and when a browser without a session arrives after it expired.
   */
  announce?: (url: string, reason: SignInAnnouncement) => void;
  /**
   * When set, POST UI_CONTROL_PATH with this token in UI_CONTROL_HEADER answers { url }: a fresh
   * one-time sign-in address (for `labvault ui --open` while this host runs; see ui-state.ts).
   */
  controlToken?: string;
  /** How long an address handed out through the control request stays valid (default 1 minute). */
  controlCodeTtlMs?: number;
}

export interface BrowserHost {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** labvault_session_PORT */
  cookieName: string;
  /** A sign-in address with a new one-time code, valid once within `ttlMs`. */
  signInUrl(ttlMs: number): string;
  close(): Promise<void>;
}

const UNAUTHORIZED_TEXT = 'Labvault: this browser is not signed in. Run "labvault ui --open" to open it signed in, '
  + 'or open the newest address "labvault ui" printed in its terminal; each address works once, for a few minutes.';

function send(ws: WebSocket, message: ServerMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

function answerProblem(ws: WebSocket, id: number | null, problem: string): void {
  const error = { code: ErrorCodes.INVALID_INPUT, message: `Labvault ignored a WebSocket message: ${problem}.` };
  send(ws, id === null ? { type: 'error', error } : { type: 'result', id, result: { ok: false, error } });
}

export async function startBrowserHost(engine: Engine, options: BrowserHostOptions): Promise<BrowserHost> {
  if (!existsSync(options.rendererDir)) {
    throw new LabvaultError(ErrorCodes.NOT_FOUND, `The UI is not built (${options.rendererDir} is missing). Run "npm run build" first.`);
  }
  const { WebSocketServer } = await import('ws');
  const sessions = new BrowserSessions();
  let port = options.port ?? 0;
  let printedCode: string | null = null;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const signInUrl = (ttlMs: number) => `http://127.0.0.1:${port}/?${SIGN_IN_CODE_PARAM}=${sessions.issueCode(ttlMs).code}`;
  const announce = (reason: SignInAnnouncement) => {
    if (!options.announce) return;
    const url = signInUrl(PRINTED_CODE_TTL_MS);
    printedCode = new URL(url).searchParams.get(SIGN_IN_CODE_PARAM);
    options.announce(url, reason);
  };
  const hasSession = (request: IncomingMessage) => (
    sessions.isSession(cookieValue(request.headers.cookie, sessionCookieName(port)))
  );

  const signIn = (request: IncomingMessage, response: ServerResponse, url: URL): boolean => {
    const code = url.searchParams.get(SIGN_IN_CODE_PARAM);
    if (code === null) return false;
    const sessionId = sessions.exchange(code);
    if (sessionId === null && !hasSession(request)) return false;
    url.searchParams.delete(SIGN_IN_CODE_PARAM);
    const headers: Record<string, string> = { location: `${url.pathname}${url.search}`, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };
    if (sessionId !== null) headers['set-cookie'] = sessionCookieHeader(port, sessionId);
    response.writeHead(303, headers).end();
    if (sessionId !== null && code === printedCode) announce('used');
    return true;
  };

  const { createServer } = requireBuiltin('node:http') as typeof import('node:http');
  const server: Server = createServer((request, response) => {
    if (!allowedHosts().has(request.headers.host ?? '')) {
      response.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden host');
      return;
    }
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (FAVICON_PATHS.has(url.pathname)) {
      // The icon is public: the sign-in page and a signed-out tab show it too, and no load logs a 404.
      response.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'max-age=86400', 'x-content-type-options': 'nosniff' })
        .end(FAVICON_SVG);
      return;
    }
    if (url.pathname === UI_CONTROL_PATH && request.method === 'POST' && options.controlToken !== undefined) {
      const token = request.headers[UI_CONTROL_HEADER];
      if (token !== options.controlToken) {
        response.writeHead(403, { 'content-type': 'text/plain' }).end('Forbidden');
        return;
      }
      const address = signInUrl(options.controlCodeTtlMs ?? CONTROL_CODE_TTL_MS);
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ url: address }));
      return;
    }
    if (signIn(request, response, url)) return;
    if (!hasSession(request)) {
      if (printedCode !== null && !sessions.isLive(printedCode)) announce('expired');
      response.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(UNAUTHORIZED_TEXT);
      return;
    }
    serveStatic(options.rendererDir, url.pathname, response).catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin;
    const originOk = origin === undefined || [...allowedHosts()].some((host) => origin === `http://${host}`);
    if (url.pathname !== WS_PATH || !allowedHosts().has(request.headers.host ?? '') || !originOk || !hasSession(request)) {
      socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket) => {
    const unsubscribe = engine.events.onAny((event, payload) => send(ws, { type: 'event', event, payload }));
    ws.on('close', unsubscribe);
    // A message above maxPayload or a protocol error closes this socket (1009/1002); without
    // a listener the error would end the process.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      const parsed = parseClientMessage(data, isBinary);
      if (!parsed.ok) {
        answerProblem(ws, parsed.id, parsed.problem);
        return;
      }
      const { id, channel, input } = parsed.message;
      dispatchChannel(engine.handlers, channel, input)
        .catch((error: unknown) => ({ ok: false as const, error: errorToInfo(error) }))
        .then((result) => send(ws, { type: 'result', id, result }))
        .catch(() => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  announce('start');
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    cookieName: sessionCookieName(port),
    signInUrl,
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
