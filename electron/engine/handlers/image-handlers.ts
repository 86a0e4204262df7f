/** images.* channels: disk image files, read and written with the engine's own format modules. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import type { EventBus } from '../app/event-bus.ts';
import { checkDiskImage, diskImageInfo, exportDiskImage, openDiskImage } from '../disk/open-disk-image.ts';

export function imageHandlers(events: EventBus): ChannelHandlers['images'] {
  return {
    info: ({ path }) => diskImageInfo(path),
    check: ({ path }) => checkDiskImage(path),
    map: async ({ path }) => {
      const disk = await openDiskImage(path);
      try {
        return await disk.allocationMap();
      } finally {
        await disk.close();
      }
    },
    export: async ({ path, out, format, subformat, progress }) => {
      const onProgress = progress === true
        ? (bytesDone: number, bytesTotal: number) => {
          events.emitAny('imageExportProgress', { out, bytesDone, bytesTotal });
        }
        : undefined;
      await exportDiskImage(path, out, {
        format: format ?? 'raw',
        ...(subformat !== undefined ? { subformat } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      return { source: path, out, format: format ?? 'raw' };
    },
  };
}
