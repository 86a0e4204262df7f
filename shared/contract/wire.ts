/** Messages of the WebSocket transport (browser host). */
import type { Result } from './define.ts';

export type ClientMessage = { type: 'invoke'; id: number; channel: string; input: unknown };

export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: string; payload: unknown };

export const WS_PATH = '/ws';
export const TOKEN_PARAM = 'token';
