/**
 * The desktop face's native pickers for the contract's dialogs channels (the browser
 * host and CLI answer UNSUPPORTED there, and the UI shows a path field instead).
 * Dialogs are modal to the main window when it is open.
 */
import { dialog, type BrowserWindow, type OpenDialogOptions, type OpenDialogReturnValue } from 'electron';
import type { ChannelHandlers } from '../../shared/contract/channels.ts';

export type DialogHandlers = ChannelHandlers['dialogs'];

function showOpen(parent: BrowserWindow | null, options: OpenDialogOptions): Promise<OpenDialogReturnValue> {
  return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
}

export function createDialogHandlers(parentWindow: () => BrowserWindow | null): DialogHandlers {
  return {
    pickFolder: async ({ title, defaultPath }) => {
      const result = await showOpen(parentWindow(), {
        title: title ?? 'Choose a folder',
        ...(defaultPath !== undefined ? { defaultPath } : {}),
        properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'],
      });
      return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
    },
    pickFiles: async ({ title }) => {
      const result = await showOpen(parentWindow(), {
        title: title ?? 'Choose files',
        properties: ['openFile', 'multiSelections', 'dontAddToRecent'],
      });
      return { paths: result.canceled ? [] : result.filePaths };
    },
  };
}
