/** What maintenance runs (retention pass, GC) are given: jobs to record them, the vault's store, the clock. */
import type { Clock } from '../app/clock.ts';
import type { JobService } from '../jobs/job-service.ts';
import type { StoreSource } from '../vault/store-source.ts';

export interface MaintenanceServices extends StoreSource {
  readonly jobs: Pick<JobService, 'create' | 'start'>;
  readonly clock: Clock;
}
