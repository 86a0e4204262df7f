/**
 * Transport over the Electron preload bridge (`window.labvault`), when the app runs in
 * the desktop window. The bridge already speaks the contract's Result shape.
 */
import type { Transport } from '../../shared/contract/client.ts';
import type { Result } from '../../shared/contract/define.ts';

export interface PreloadBridge {
  invoke(channel: string, input: unknown): Promise<Result<unknown>>;
  subscribe(event: string, listener: (payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    labvault?: PreloadBridge;
  }
}

export function preloadBridge(): PreloadBridge | undefined {
  return typeof window !== 'undefined' ? window.labvault : undefined;
}

export function createElectronTransport(bridge: PreloadBridge): Transport {
  return {
    invoke: (channel, input) => bridge.invoke(channel, input),
    subscribe: (event, listener) => bridge.subscribe(event, listener),
  };
}
