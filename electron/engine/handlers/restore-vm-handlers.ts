/** restore.vm and restore.vmCheck: a VM item's point restored as a new VM. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import type { EngineServices } from './engine-services.ts';

export function restoreVmHandlers(engine: EngineServices): Pick<ChannelHandlers['restore'], 'vm' | 'vmCheck'> {
  return {
    vm: async (input) => {
      const { running, plan } = await engine.vmRestores.start(input);
      return { jobId: running.job.id, plan };
    },
    vmCheck: (input) => engine.vmRestores.check(input),
  };
}
