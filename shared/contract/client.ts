/**
 * The typed client every UI uses: `client.vaults.create({...})`. It works over any
 * Transport (Electron preload bridge, WebSocket) and never exposes channel strings.
 */
import { LabvaultError, type ErrorCode } from '../errors.ts';
import { channelNames, splitChannel, type ChannelClient } from './channels.ts';
import type { Result } from './define.ts';
import { eventNames, type EventName, type EventPayload } from './events.ts';

export interface Transport {
  invoke(channel: string, input: unknown): Promise<Result<unknown>>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

export type EventSubscriptions = {
  [E in EventName]: (listener: (payload: EventPayload<E>) => void) => () => void;
};

export interface LabvaultClient {
  api: ChannelClient;
  on: EventSubscriptions;
}

export function createClient(transport: Transport): LabvaultClient {
  const api: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const name of channelNames) {
    const [group, method] = splitChannel(name);
    api[group] ??= {};
    api[group][method] = async (input: unknown) => {
      const result = await transport.invoke(name, input ?? {});
      if (result.ok) return result.value;
      throw new LabvaultError(result.error.code as ErrorCode, result.error.message, {
        ...(result.error.field !== undefined ? { field: result.error.field } : {}),
        ...(result.error.details !== undefined ? { details: result.error.details } : {}),
      });
    };
  }
  const on: Record<string, (listener: (payload: unknown) => void) => () => void> = {};
  for (const name of eventNames) on[name] = (listener) => transport.subscribe(name, listener);
  return { api: api as unknown as ChannelClient, on: on as unknown as EventSubscriptions };
}
