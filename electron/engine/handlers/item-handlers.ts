/** items.* and points.* channels. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { listPointRows } from '../backup/point-record.ts';
import type { Engine } from '../engine.ts';
import { deleteOnePoint, deletePreview, resumeProtection, setItemPolicy, stopProtection, undeleteItem } from '../protection/item-lifecycle.ts';
import { itemView } from '../protection/item-view.ts';
import type { PointRow } from '../backup/point-record.ts';
import type { Point } from '../../../shared/contract/item-models.ts';

export function publicPoint(row: PointRow): Point {
  const { snapshotUntil: _until, scheduled: _scheduled, deletedAt: _deleted, ...point } = row;
  return point;
}

export function itemHandlers(engine: Engine): ChannelHandlers['items'] {
  const { protection } = engine;
  const view = (resolved: Awaited<ReturnType<typeof protection.resolve>>) => itemView(resolved.session, resolved.record, engine.clock.now());
  return {
    inspectFiles: ({ paths }) => protection.inspect(paths),
    protect: async (input) => view(await protection.protect(input)),
    list: async ({ vault }) => (await protection.list(vault)).map(view),
    show: async ({ item }) => view(await protection.resolve(item)),
    deletePreview: async ({ item }) => deletePreview(engine, await protection.resolve(item)),
    stopProtection: async (input) => {
      const resolved = await protection.resolve(input.item);
      const record = await stopProtection(engine, resolved, input);
      return itemView(resolved.session, record, engine.clock.now());
    },
    resumeProtection: async ({ item, policy }) => {
      const resolved = await protection.resolve(item);
      return itemView(resolved.session, await resumeProtection(engine, resolved, policy), engine.clock.now());
    },
    undelete: async ({ item }) => {
      const resolved = await protection.resolve(item);
      return itemView(resolved.session, await undeleteItem(engine, resolved), engine.clock.now());
    },
    setPolicy: async ({ item, policy }) => {
      const resolved = await protection.resolve(item);
      return itemView(resolved.session, await setItemPolicy(engine, resolved, policy), engine.clock.now());
    },
  };
}

export function pointHandlers(engine: Engine): ChannelHandlers['points'] {
  return {
    list: async ({ item, includeDeleted }) => {
      const { session, record } = await engine.protection.resolve(item);
      return listPointRows(session, record.id, { includeDeleted: includeDeleted === true }).map(publicPoint);
    },
    delete: async ({ item, point }) => publicPoint(await deleteOnePoint(engine, await engine.protection.resolve(item), point) as PointRow),
  };
}
