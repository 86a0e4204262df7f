/**
 * The scheduler host as a start()/stop() pair, the shape the desktop face hosts
 * (electron/desktop/scheduler-host.ts looks for `{ start, stop }`):
 *   new SchedulerHost({ scheduler: hostedScheduler(engine, { log }) }, log)
 */
import type { SchedulerServices } from './scheduler-services.ts';
import { startSchedulerHost, type SchedulerHost, type SchedulerHostOptions } from './scheduler-host.ts';



export interface HostedEngineScheduler {
  start(): void;
  stop(): Promise<void>;
  /** The running host (null before start and after stop). */
  host(): SchedulerHost | null;
}

export function hostedScheduler(
  services: SchedulerServices, options: SchedulerHostOptions = {},
): HostedEngineScheduler {
  let host: SchedulerHost | null = null;
  return {
    start() {
      if (!host) host = startSchedulerHost(services, options);
    },
    async stop() {
      const running = host;
      host = null;
      await running?.stop();
    },
    host: () => host,
  };
}
