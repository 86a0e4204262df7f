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
import { checkScriptsChange, isScriptsChange, setItemScripts, type ScriptsChange } from '../protection/item-scripts.ts';
import { updateItemFiles } from '../protection/item-files-update.ts';

function scriptsChange(input: { preScript?: string | null | undefined; postScript?: string | null | undefined;
  scriptTimeoutSec?: number | undefined; }): ScriptsChange {
  return { pre: input.preScript, post: input.postScript, timeoutSec: input.scriptTimeoutSec };
}

export function publicPoint(row: PointRow): Point {
  const { snapshotUntil: _until, scheduled: _scheduled, deletedAt: _deleted, ...point } = row;
  return point;
}

export function itemHandlers(engine: EngineServices): ChannelHandlers['items'] {
  const { protection } = engine;
  const scriptsOf = async (vaultId: string) => (await protection.trust.vault(vaultId))?.items ?? {};
  const view = async (resolved: ResolvedItem) => itemView(resolved.session, resolved.record, engine.clock.now(),
    await itemConfirmationProblem(protection.trust, resolved.session, resolved.record),
    (await scriptsOf(resolved.session.config.id))[resolved.record.id]?.scripts);
  return {
    inspectFiles: ({ paths }) => protection.inspect(paths),
    protect: async (input) => {
      const change = scriptsChange(input);
      if (isScriptsChange(change)) await checkScriptsChange(change);
      const created = await protection.protect(input);
      if (isScriptsChange(change)) await setItemScripts(protection.trust, created, change);
      return { ...(await view(created)), ...(created.notes.length > 0 ? { notes: created.notes } : {}) };
    },
    updateFiles: async ({ item, files, vm, dryRun }) => {
      const resolved = await protection.resolve(item);
      const { record, change } = await updateItemFiles(protection, engine.clock, resolved, { files, vm, dryRun });
      return { item: await view({ session: resolved.session, record }), change };
    },
    setScripts: async (input) => {
      const resolved = await protection.resolve(input.item);
      await setItemScripts(protection.trust, resolved, scriptsChange(input));
      return view(resolved);
    },
    list: async ({ vault }) => {
      const items = await protection.list(vault);
      const problems = await confirmationProblems(protection.trust, items);
      const scripts = new Map<string, Awaited<ReturnType<typeof scriptsOf>>>();
      for (const { session } of items) {
        if (!scripts.has(session.config.id)) scripts.set(session.config.id, await scriptsOf(session.config.id));
      }
      return items.map(({ session, record }) => itemView(session, record, engine.clock.now(),
        problems.get(`${session.config.id}/${record.id}`), scripts.get(session.config.id)?.[record.id]?.scripts));
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

export function pointHandlers(engine: EngineServices): Omit<ChannelHandlers['points'], 'compare'> {
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
