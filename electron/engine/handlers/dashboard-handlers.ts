/** dashboard.*, alerts.* and dialogs.* channels (native dialogs exist only in the desktop app). */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { dashboardSummary } from '../dashboard/dashboard-summary.ts';
import type { EngineServices } from './engine-services.ts';

export function dashboardHandlers(engine: EngineServices): Pick<ChannelHandlers, 'dashboard' | 'alerts' | 'dialogs'> {
  const noDialogs = () => {
    throw new LabvaultError(ErrorCodes.UNSUPPORTED, 'Native file dialogs exist only in the desktop app: type the path instead.');
  };
  return {
    dashboard: { summary: () => dashboardSummary(engine) },
    alerts: {
      list: ({ vault, includeAcknowledged }) => engine.alerts.list(vault, includeAcknowledged === true),
      acknowledge: async ({ id }) => ({ ok: await engine.alerts.acknowledge(id) }),
    },
    dialogs: {
      pickFolder: async () => noDialogs(),
      pickFiles: async () => noDialogs(),
    },
  };
}
