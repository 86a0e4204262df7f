/**
 * The one client the renderer uses: over the Electron bridge when the preload exposes
 * it, else over the browser host's WebSocket. Connection state goes to the connection
 * store (banner).
 */
import { createClient, type LabvaultClient } from '../../shared/contract/client.ts';
import { useConnectionStore } from '../stores/connection-store.ts';
import { createElectronTransport, preloadBridge } from './electron-transport.ts';
import { createWebSocketTransport } from './websocket-transport.ts';

function makeClient(): LabvaultClient {
  const bridge = preloadBridge();
  if (bridge) {
    useConnectionStore.getState().setState({ kind: 'connected' });
    return createClient(createElectronTransport(bridge));
  }
  return createClient(createWebSocketTransport({ onState: (state) => useConnectionStore.getState().setState(state) }));
}

export const client: LabvaultClient = makeClient();
export const api = client.api;
