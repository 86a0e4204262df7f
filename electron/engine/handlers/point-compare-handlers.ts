/** points.compare: what changed between two points of an item (read-only). */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { readPointRow } from '../backup/point-record.ts';
import { comparePoints } from '../restore/point-compare.ts';
import type { EngineServices } from './engine-services.ts';

export function pointCompareHandlers(engine: EngineServices): Pick<ChannelHandlers['points'], 'compare'> {
  return {
    compare: async ({ item, from, to }) => {
      const { session, record } = await engine.protection.resolve(item);
      for (const [field, id] of [['from', from], ['to', to]] as const) {
        const point = readPointRow(session, id);
        if (!point || point.itemId !== record.id) {
          throw new LabvaultError(ErrorCodes.NOT_FOUND, `Item "${record.name}" has no recovery point ${id}. `
            + `"labvault points list ${record.name}" shows them.`, { field });
        }
      }
      return comparePoints(await engine.keyring.store(session), record, from, to);
    },
  };
}
