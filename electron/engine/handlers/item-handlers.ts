/** items.* and points.* channels. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { listPointRows } from '../backup/point-record.ts';
import type { EngineServices } from './engine-services.ts';
import { deleteOnePoint, deletePreview, resumeProtection, setItemPolicy, stopProtection, undeleteItem } from '../protection/item-lifecycle.ts';
import { itemView } from '../protection/item-view.ts';
import { confirmItemFiles, confirmationProblems, itemConfirmationProblem } from '../protection/item-confirmation.ts';
import type { ResolvedItem } from '../protection/protection-service.ts';
import type { PointRow } from '../backup/point-record.ts';
import type { Point } from '../../../shared/contract/item-models.ts';

export function publicPoint(row: PointRow): Point {
  const { snapshotUntil: _until, scheduled: _scheduled, deletedAt: _deleted, ...point } = row;
  return point;
}

export function itemHandlers(engine: EngineServices): ChannelHandlers['items'] {
  const { protection } = engine;
  const view = async (resolved: ResolvedItem) => itemView(resolved.session, resolved.record, engine.clock.now(),
    await itemConfirmationProblem(protection.trust, resolved.session, resolved.record));
  return {
    inspectFiles: ({ paths }) => protection.inspect(paths),
    protect: async (input) => view(await protection.protect(input)),
    list: async ({ vault }) => {
      const items = await protection.list(vault);
      const problems = await confirmationProblems(protection.trust, items);
      return items.map(({ session, record }) => itemView(session, record, engine.clock.now(), problems.get(`${session.config.id}/${record.id}`)));
    },
    show: async ({ item }) => view(await protection.resolve(item)),
    confirm: async ({ item, files }) => {
      const resolved = await protection.resolve(item);
      await confirmItemFiles(engine, resolved, files);
      return view(resolved);
    },
    deletePreview: async ({ item }) => deletePreview(engine, await protection.resolve(item)),
    stopProtection: async (input) => {
      const resolved = await protection.resolve(input.item);
      return view({ session: resolved.session, record: await stopProtection(engine, resolved, input) });
    },
    resumeProtection: async ({ item, policy }) => {
      const resolved = await protection.resolve(item);
      return view({ session: resolved.session, record: await resumeProtection(engine, resolved, policy) });
    },
    undelete: async ({ item }) => {
      const resolved = await protection.resolve(item);
      return view({ session: resolved.session, record: await undeleteItem(engine, resolved) });
    },
    setPolicy: async ({ item, policy }) => {
      const resolved = await protection.resolve(item);
      return view({ session: resolved.session, record: await setItemPolicy(engine, resolved, policy) });
    },
  };
}

export function pointHandlers(engine: EngineServices): ChannelHandlers['points'] {
  return {
    list: async ({ item, includeDeleted }) => {
      const { session, record } = await engine.protection.resolve(item);
      return listPointRows(session, record.id, { includeDeleted: includeDeleted === true }).map(publicPoint);
    },
    delete: async ({ item, point }) => (
      publicPoint(await deleteOnePoint(engine, await engine.protection.resolve(item), point) as PointRow)
    ),
  };
}
