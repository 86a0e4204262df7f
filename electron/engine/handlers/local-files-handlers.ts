/** localFiles.* channels: the server-side file browser (read-only listings of this machine's folders). */
import { homedir } from 'node:os';
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { localEntry } from '../local-files/local-entry.ts';
import { listLocalFolder } from '../local-files/local-folder-listing.ts';
import { absoluteLocalPath } from '../local-files/local-path.ts';

export function localFilesHandlers(): ChannelHandlers['localFiles'] {
  return {
    list: ({ path, showHidden, limit }) => listLocalFolder(
      path === undefined ? homedir() : absoluteLocalPath(path),
      { ...(showHidden !== undefined ? { showHidden } : {}), ...(limit !== undefined ? { limit } : {}) },
    ),
    stat: ({ path }) => localEntry(absoluteLocalPath(path)),
  };
}
