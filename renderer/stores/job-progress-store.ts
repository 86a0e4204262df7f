/**
 * Live job figures pushed by the engine (jobProgress), kept per job and subtask, so any
 * page can show a progress bar without polling.
 */
import { create } from 'zustand';
import type { EventPayload } from '../../shared/contract/events.ts';
import { client } from '../api/labvault-client.ts';

export type JobProgress = EventPayload<'jobProgress'>;

interface JobProgressStore {
  /** jobId -> subtask name -> latest figures. */
  progress: Record<string, Record<string, JobProgress>>;
  /** Bumped on every jobChanged/jobFinished, so lists know to reload. */
  revision: number;
}

export const useJobProgressStore = create<JobProgressStore>(() => ({ progress: {}, revision: 0 }));

client.on.jobProgress((payload) => {
  useJobProgressStore.setState((state) => ({
    progress: { ...state.progress, [payload.jobId]: { ...state.progress[payload.jobId], [payload.subtask]: payload } },
  }));
});
client.on.jobChanged(() => useJobProgressStore.setState((state) => ({ revision: state.revision + 1 })));
client.on.jobFinished(() => useJobProgressStore.setState((state) => ({ revision: state.revision + 1 })));
