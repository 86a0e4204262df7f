/** Every contract channel, implemented by the engine (faces may override dialogs). */
import { platform } from 'node:os';
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { defaultVaultParent } from '../app/app-home.ts';
import { appVersion } from '../app/app-version.ts';
import type { EngineServices } from './engine-services.ts';
import { dashboardHandlers } from './dashboard-handlers.ts';
import { guestHandlers } from './guest-handlers.ts';
import { imageHandlers } from './image-handlers.ts';
import { itemHandlers, pointHandlers } from './item-handlers.ts';
import { jobHandlers } from './job-handlers.ts';
import { localFilesHandlers } from './local-files-handlers.ts';
import { maintenanceHandlers } from './maintenance-handlers.ts';
import { pointCompareHandlers } from './point-compare-handlers.ts';
import { policyHandlers } from './policy-handlers.ts';
import { vaultHandlers } from './vault-handlers.ts';
import { vmHandlers } from './vm-handlers.ts';

export function buildHandlers(engine: EngineServices): ChannelHandlers {
  return {
    app: {
      info: async () => ({
        version: appVersion(), appHome: engine.appHome, face: engine.face, platform: platform(),
        defaultVaultParent: defaultVaultParent(),
      }),
    },
    vaults: { ...vaultHandlers(engine), ...maintenanceHandlers(engine) },
    items: itemHandlers(engine),
    points: { ...pointHandlers(engine), ...pointCompareHandlers(engine) },
    ...jobHandlers(engine),
    policies: policyHandlers(engine),
    ...dashboardHandlers(engine),
    images: imageHandlers(engine.events),
    files: guestHandlers(engine),
    localFiles: localFilesHandlers(),
    vms: vmHandlers(engine),
  };
}
