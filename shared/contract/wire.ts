/** Messages of the WebSocket transport (browser host). */
import type { Result } from './define.ts';

export type ClientMessage = { type: 'invoke'; id: number; channel: string; input: unknown };

export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: string; payload: unknown }
  /** The answer to a message that was not a request (not JSON, not an object, no id). */
  | { type: 'error'; error: { code: string; message: string } };

export const WS_PATH = '/ws';
/** Query parameter of the one-time sign-in code in the address `labvault ui` prints. */
export const SIGN_IN_CODE_PARAM = 'code';
