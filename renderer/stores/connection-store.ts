/** Whether the renderer can reach the engine (drives the "disconnected" banner). */
import { create } from 'zustand';
import type { ConnectionState } from '../api/websocket-transport.ts';

interface ConnectionStore {
  state: ConnectionState;
  everConnected: boolean;
  setState(state: ConnectionState): void;
}

export const useConnectionStore = create<ConnectionStore>((set) => ({
  state: { kind: 'connecting', attempt: 0 },
  everConnected: false,
  setState: (state) => set((previous) => ({ state, everConnected: previous.everConnected || state.kind === 'connected' })),
}));
