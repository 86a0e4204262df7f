/** files.* channels: files inside a point's disks (GuestService). */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import type { GuestEntryView } from '../../../shared/contract/guest-channels.ts';
import type { GuestEntry } from '../guest/guest-filesystem.ts';
import type { EngineServices } from './engine-services.ts';
import { runPointTestRestore } from '../backup/point-test-restore.ts';

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? new Date(0).toISOString() : date.toISOString();
}

export function entryView(entry: GuestEntry): GuestEntryView {
  return {
    name: entry.name, type: entry.type, size: entry.size, mtime: isoTime(entry.mtimeMs), mode: entry.mode,
    ...(entry.target === undefined ? {} : { target: entry.target }),
    ...(entry.streams === undefined || entry.streams.length === 0 ? {} : { streams: entry.streams }),
  };
}

export function guestHandlers(engine: EngineServices): ChannelHandlers['files'] {
  const { guests, alerts, clock } = engine;
  return {
    parts: (input) => guests.parts(input),
    list: async (input) => {
      const result = await guests.list(input);
      return { ...result, entries: result.entries.map(entryView) };
    },
    get: (input) => guests.get(input),
    testRestore: async (input) => {
      const { session, record } = await engine.protection.resolve(input.item);
      return runPointTestRestore({ guests, alerts, clock }, {
        session, itemId: record.id, itemName: record.name, pointId: input.point,
      });
    },
    history: async (input) => {
      const result = await guests.history(input);
      return {
        ...result,
        versions: result.versions.map(({ mtimeMs, ...version }) => ({ ...version, mtime: isoTime(mtimeMs) })),
      };
    },
  };
}
