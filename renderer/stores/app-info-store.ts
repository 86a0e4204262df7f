/** Facts about the face the renderer runs in (Electron or browser), loaded once. */
import { create } from 'zustand';
import type { AppInfo } from '../../shared/contract/models.ts';
import { api } from '../api/labvault-client.ts';
import { preloadBridge } from '../api/electron-transport.ts';

interface AppInfoStore {
  info: AppInfo | null;
  /** Native pickers exist only in the desktop app. */
  nativeDialogs: boolean;
  load(): Promise<void>;
}

export const useAppInfoStore = create<AppInfoStore>((set) => ({
  info: null,
  nativeDialogs: false,
  async load() {
    const info = await api.app.info({});
    set({ info, nativeDialogs: info.face === 'electron' && preloadBridge() !== undefined });
  },
}));
