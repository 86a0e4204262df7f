/**
 * The state each VM item's VM is in now (running, saved, powered off...), read by discovery
 * from the VMs' config files for a list page. Items that protect plain files have no VM.
 */
import { useEffect, useState } from 'react';
import type { Item } from '../../../shared/contract/item-models.ts';
import { api } from '../../api/labvault-client.ts';
import type { VmCandidate } from './vm-candidate.ts';

/** vms.discover takes at most this many paths per call. */
const PATHS_PER_CALL = 64;

export type VmNow = Pick<VmCandidate, 'state' | 'stateEvidence' | 'name'>;

export interface VmStates {
  /** By config path; absent while loading or when the config could not be read. */
  byConfig: Map<string, VmNow>;
  /** Config paths discovery could not read, with its message. */
  problems: Map<string, string>;
}

export function useVmStates(items: readonly Pick<Item, 'vm'>[] | undefined): VmStates {
  const [states, setStates] = useState<VmStates>({ byConfig: new Map(), problems: new Map() });
  const paths = [...new Set((items ?? []).flatMap((item) => (item.vm ? [item.vm.configPath] : [])))].sort();
  const key = paths.join('\n');
  useEffect(() => {
    if (paths.length === 0) return undefined;
    let current = true;
    const batches: string[][] = [];
    for (let start = 0; start < paths.length; start += PATHS_PER_CALL) {
      batches.push(paths.slice(start, start + PATHS_PER_CALL));
    }
    Promise.all(batches.map((batch) => api.vms.discover({ paths: batch }))).then(
      (results) => {
        if (!current) return;
        const byConfig = new Map<string, VmNow>();
        const problems = new Map<string, string>();
        for (const result of results) {
          for (const vm of result.vms) {
            byConfig.set(vm.configPath, { state: vm.state, stateEvidence: vm.stateEvidence, name: vm.name });
          }
          for (const problem of result.problems) problems.set(problem.path, problem.message);
        }
        setStates({ byConfig, problems });
      },
      (error: unknown) => {
        if (!current) return;
        const message = error instanceof Error ? error.message : String(error);
        setStates({ byConfig: new Map(), problems: new Map(paths.map((path) => [path, message])) });
      },
    );
    return () => { current = false; };
    // `key` stands for the paths (an array would re-run the effect on every render)
  }, [key]);
  return states;
}
