/**
 * Transport over the browser host's WebSocket (`labvault ui`). The socket is authorised by
 * the host's HttpOnly session cookie (same origin), set when the page was opened with a
 * sign-in code; no secret is held by this page. Invokes made while the socket is down are
 * queued and sent on reconnect; reconnects back off from 0.5 s to 10 s. Connection state is
 * reported to a listener (the UI shows a banner).
 */
import type { Transport } from '../../shared/contract/client.ts';
import type { Result } from '../../shared/contract/define.ts';
import { WS_PATH, type ClientMessage, type ServerMessage } from '../../shared/contract/wire.ts';

export type ConnectionState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected' }
  | { kind: 'disconnected'; attempt: number; retryInMs: number; reason: string };

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** Code the host's upgrade refusal produces in browsers (no handshake). */
const ABNORMAL_CLOSE = 1006;

interface Pending {
  message: ClientMessage;
  resolve: (result: Result<unknown>) => void;
}

export function createWebSocketTransport(options: {
  onState: (state: ConnectionState) => void;
}): Transport {
  let socket: WebSocket | null = null;
  let nextId = 1;
  let attempt = 0;
  let open = false;
  const pending = new Map<number, Pending>();
  const queue: Pending[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();

  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${window.location.host}${WS_PATH}`;

  function send(entry: Pending): void {
    pending.set(entry.message.id, entry);
    socket?.send(JSON.stringify(entry.message));
  }

  function connect(): void {
    options.onState({ kind: 'connecting', attempt });
    const ws = new WebSocket(url);
    socket = ws;
    ws.addEventListener('open', () => {
      open = true;
      attempt = 0;
      options.onState({ kind: 'connected' });
      for (const entry of queue.splice(0)) send(entry);
    });
    ws.addEventListener('message', (event) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      if (message.type === 'result') {
        const entry = pending.get(message.id);
        pending.delete(message.id);
        entry?.resolve(message.result);
      } else if (message.type === 'event') {
        for (const listener of listeners.get(message.event) ?? []) listener(message.payload);
      } else if (message.type === 'error') {
        console.warn(`Labvault host: ${message.error.message}`);
      }
    });
    ws.addEventListener('close', (event) => {
      open = false;
      socket = null;
      // Requests in flight may or may not have run: re-sending could repeat a change, so
      // they fail with a message the user can act on.
      for (const entry of pending.values()) {
        entry.resolve({ ok: false, error: { code: 'IO_ERROR', message: 'The connection to Labvault was lost before the answer came. Check the result and try again.' } });
      }
      pending.clear();
      attempt += 1;
      const retryInMs = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** Math.min(attempt - 1, 5));
      const reason = event.code === ABNORMAL_CLOSE ? 'The Labvault server is not answering (stopped, or this browser is not signed in to it: open the newest address labvault ui printed).' : `Connection closed (${event.code}).`;
      options.onState({ kind: 'disconnected', attempt, retryInMs, reason });
      window.setTimeout(connect, retryInMs);
    });
  }

  connect();

  return {
    invoke(channel, input) {
      return new Promise((resolve) => {
        const entry: Pending = { message: { type: 'invoke', id: nextId++, channel, input }, resolve };
        if (open) send(entry);
        else queue.push(entry);
      });
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
  };
}
