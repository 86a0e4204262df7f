/** restore.replace and restore.replaceStatus: "replace existing". */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import type { EngineServices } from './engine-services.ts';

export function restoreReplaceHandlers(engine: EngineServices): Pick<ChannelHandlers['restore'], 'replace' | 'replaceStatus'> {
  return {
    replace: async (input) => ({ jobId: (await engine.replaceRestores.start(input)).job.id }),
    replaceStatus: ({ item }) => engine.replaceRestores.status(item),
  };
}
