/**
 * The narrow bridge (sandboxed preload, bundled to out/preload/preload.cjs): the page
 * gets `window.labvault` with exactly two functions, and nothing of ipcRenderer.
 *   invoke(channel, input): Promise<Result>   only contract channels
 *   subscribe(event, listener): () => void    only contract events; the listener gets
 *                                              the payload, never the IPC event object
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isChannelName } from '../shared/contract/channels.ts';
import type { Result } from '../shared/contract/define.ts';
import { isEventName } from '../shared/contract/events.ts';
import { ErrorCodes } from '../shared/errors.ts';

function refused(message: string): Promise<Result<never>> {
  return Promise.resolve({ ok: false, error: { code: ErrorCodes.INVALID_INPUT, message } });
}

const labvaultBridge = {
  invoke(channel: unknown, input: unknown): Promise<Result<unknown>> {
    if (!isChannelName(channel)) return refused(`Unknown channel ${JSON.stringify(String(channel)).slice(0, 80)}.`);
    return ipcRenderer.invoke(channel, input) as Promise<Result<unknown>>;
  },
  subscribe(event: unknown, listener: unknown): () => void {
    if (!isEventName(event)) throw new TypeError(`Unknown event ${JSON.stringify(String(event)).slice(0, 80)}.`);
    if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function.');
    const forward = (_ipcEvent: IpcRendererEvent, payload: unknown) => {
      (listener as (payload: unknown) => void)(payload);
    };
    ipcRenderer.on(event, forward);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipcRenderer.removeListener(event, forward);
    };
  },
};

contextBridge.exposeInMainWorld('labvault', labvaultBridge);
