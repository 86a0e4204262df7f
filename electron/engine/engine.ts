/**
 * The engine facade: one object per process that owns the vault directory, jobs and
 * events, and implements every contract channel. Faces (Electron, CLI, browser host)
 * construct it and route requests to `handlers`.
 */
import { readFileSync } from 'node:fs';
import { platform } from 'node:os';
import type { ChannelHandlers } from '../../shared/contract/channels.ts';
import type { AppInfo } from '../../shared/contract/models.ts';
import { defaultVaultParent, resolveAppHome } from './app/app-home.ts';
import { systemClock, type Clock } from './app/clock.ts';
import { EventBus } from './app/event-bus.ts';
import { VaultDirectory } from './vault/vault-directory.ts';

export interface EngineOptions {
  appHome?: string;
  clock?: Clock;
  face: AppInfo['face'];
  env?: NodeJS.ProcessEnv;
}

export function appVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export class Engine {
  readonly appHome: string;
  readonly clock: Clock;
  readonly events = new EventBus();
  readonly vaults: VaultDirectory;
  readonly face: AppInfo['face'];
  readonly handlers: ChannelHandlers;

  constructor(options: EngineOptions) {
    this.appHome = options.appHome ?? resolveAppHome(options.env ?? process.env);
    this.clock = options.clock ?? systemClock;
    this.face = options.face;
    this.vaults = new VaultDirectory(this.appHome, this.clock);
    this.handlers = this.buildHandlers();
  }

  close(): void {
    this.vaults.close();
  }

  private buildHandlers(): ChannelHandlers {
    const vaults = this.vaults;
    const notify = (reason: string) => this.events.emitAny('vaultsChanged', { reason });
    return {
      app: {
        info: async () => ({ version: appVersion(), appHome: this.appHome, face: this.face, platform: platform(), defaultVaultParent: defaultVaultParent() }),
      },
      vaults: {
        list: () => vaults.list(),
        show: ({ name }) => vaults.show(name),
        checkPath: ({ path }) => vaults.checkPath(path),
        create: async (input) => { const vault = await vaults.create(input); notify('created'); return vault; },
        open: async ({ path }) => { const vault = await vaults.open(path); notify('opened'); return vault; },
        update: async (input) => { const vault = await updateVaultSettings(vaults, input); notify('updated'); return vault; },
        deleteCheck: async ({ name }) => { const blockers = await vaults.deleteBlockers(name); return { deletable: blockers.length === 0, blockers }; },
        delete: async ({ name }) => { await vaults.delete(name); notify('deleted'); return { deleted: true }; },
      },
    };
  }
}

import { updateVaultSettings } from './vault/vault-settings.ts';
