/**
 * The client for a face that runs the engine in its own process (the CLI): the same typed
 * ChannelClient the renderer uses, where each call goes through dispatchChannel, so its input
 * and output are checked against the contract exactly as over IPC or the WebSocket. A failed
 * call throws the LabvaultError the Result carries (same code, message, field, details).
 */
import { LabvaultError, type ErrorCode } from '../errors.ts';
import { channelNames, splitChannel, type ChannelClient, type ChannelHandlers } from './channels.ts';
import type { Result } from './define.ts';
import { dispatchChannel } from './dispatch.ts';

/** The error a failed Result carries, as the LabvaultError a caller catches. */
export function resultError(error: Extract<Result<unknown>, { ok: false }>['error']): LabvaultError {
  return new LabvaultError(error.code as ErrorCode, error.message, {
    ...(error.field !== undefined ? { field: error.field } : {}),
    ...(error.details !== undefined ? { details: error.details } : {}),
  });
}

export function createDirectClient(handlers: ChannelHandlers): ChannelClient {
  const client: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const name of channelNames) {
    const [group, method] = splitChannel(name);
    client[group] ??= {};
    client[group][method] = async (input: unknown) => {
      const result = await dispatchChannel(handlers, name, input ?? {});
      if (result.ok) return result.value;
      throw resultError(result.error);
    };
  }
  return client as unknown as ChannelClient;
}
