/**
 * Contract -> IPC: one generic loop registers every channel of the contract with
 * `ipcMain.handle`. Each call is accepted only from our own renderer (the sending
 * frame's URL is on app://labvault/), then goes through `dispatchChannel`, which
 * validates the input before the engine sees it and the output before the renderer does,
 * and answers a Result. Engine events are forwarded to every window.
 * This file and preload.ts are the only ones that touch ipcMain / ipcRenderer.
 */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { channelNames, type ChannelHandlers } from '../shared/contract/channels.ts';
import type { Result } from '../shared/contract/define.ts';
import { dispatchChannel } from '../shared/contract/dispatch.ts';
import type { EventName } from '../shared/contract/events.ts';
import { ErrorCodes } from '../shared/errors.ts';
import type { EventBus } from './engine/index.ts';
import type { AppLog } from './desktop/app-log.ts';
import { isAppUrl } from './desktop/app-origin.ts';

/** True when the IPC call comes from the main frame of our own renderer (no subframes). */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): boolean {
  const frame = event.senderFrame;
  return frame !== null && !frame.parent && isAppUrl(frame.url);
}

const UNTRUSTED_SENDER: Result<never> = {
  ok: false,
  error: { code: ErrorCodes.UNAUTHORIZED, message: 'Refused: this request did not come from the Labvault window.' },
};

/** Registers every contract channel; returns a function that removes them all. */
export function registerContractChannels(handlers: ChannelHandlers, log: AppLog): () => void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, async (event, input: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) {
        log.warn(`Refused IPC ${channel} from ${event.senderFrame?.url ?? 'a closed frame'}`);
        return UNTRUSTED_SENDER;
      }
      const result = await dispatchChannel(handlers, channel, input);
      if (!result.ok && result.error.code === ErrorCodes.INTERNAL) log.error(`${channel} failed: ${result.error.message}`);
      return result;
    });
  }
  return () => {
    for (const channel of channelNames) ipcMain.removeHandler(channel);
  };
}

/** Sends every engine event to every open window; returns the unsubscribe function. */
export function forwardEngineEvents(events: EventBus): () => void {
  return events.onAny((event: EventName, payload: unknown) => {
    for (const window of BrowserWindow.getAllWindows()) {
      if (window.isDestroyed() || window.webContents.isDestroyed()) continue;
      if (!isAppUrl(window.webContents.getURL())) continue;
      window.webContents.send(event, payload);
    }
  });
}
