/**
 * The engine's public entry: everything a face (the desktop app, the CLI, the browser host)
 * may use. A face builds one Engine, calls it through the contract (its `handlers`, via
 * dispatchChannel or shared/contract/direct-client.ts), listens to its events, and may host
 * a scheduler in its process. Faces import nothing else from electron/engine
 * (build/check-imports.mjs enforces it).
 */
export { Engine, appVersion, type EngineOptions, type RememberedPassphrases } from './engine.ts';
export type { EventBus } from './app/event-bus.ts';
export { APP_NAME, resolveAppHome } from './app/app-home.ts';
export { formatVersions, type FormatVersionRange } from './app/format-versions.ts';
export { preparePrivateAppHome } from './app/private-app-home.ts';
export {
  startSchedulerHost, type MaintenanceResult, type SchedulerHost, type SchedulerHostOptions,
} from './scheduling/scheduler-host.ts';
export { hostedScheduler, type HostedEngineScheduler } from './scheduling/hosted-scheduler.ts';
