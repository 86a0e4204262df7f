/**
 * Reads one WebSocket message from a browser: anything may arrive (binary frames, invalid
 * JSON, null, a number, an array, a string, an object without the fields). Only
 * { type: 'invoke', id: non-negative integer, channel: string, input } is a request; the
 * rest is a problem to answer, never an exception in the host.
 */
import type { ClientMessage } from '../../shared/contract/wire.ts';

export type ParsedClientMessage =
  | { ok: true; message: ClientMessage }
  /** `id` is the request's id when it had a usable one (the answer then goes to that request). */
  | { ok: false; id: number | null; problem: string };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export function parseClientMessage(data: unknown, isBinary: boolean): ParsedClientMessage {
  if (isBinary) return { ok: false, id: null, problem: 'binary messages are not accepted; send JSON text' };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : String(data));
  } catch {
    return { ok: false, id: null, problem: 'the message is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, id: null, problem: `the message is ${describe(value)}, not a JSON object` };
  }
  const fields = value as Record<string, unknown>;
  const id = typeof fields.id === 'number' && Number.isSafeInteger(fields.id) && fields.id >= 0 ? fields.id : null;
  if (id === null) return { ok: false, id: null, problem: 'the message has no request id (a non-negative integer "id")' };
  if (fields.type !== 'invoke') return { ok: false, id, problem: `message type ${JSON.stringify(String(fields.type)).slice(0, 40)} is not "invoke"` };
  if (typeof fields.channel !== 'string') return { ok: false, id, problem: 'the message has no channel name' };
  return { ok: true, message: { type: 'invoke', id, channel: fields.channel, input: fields.input } };
}
