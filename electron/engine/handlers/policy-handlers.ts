/** policies.* channels. */
import type { ChannelHandlers } from '../../../shared/contract/channels.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { parsePolicy, validatePolicy } from '../../../shared/policy.ts';
import type { EngineServices } from './engine-services.ts';
import { parseInstant, previewRetention, type PreviewPointInput } from '../policy/retention-preview.ts';
import { previewRuns } from '../policy/run-preview.ts';
import { simulateRetention } from '../policy/retention-simulation.ts';
import { createPolicy, deletePolicy, policyView, previewPolicyChange, updatePolicy } from '../policy/policy-admin.ts';
import { findPolicyRecord, listPolicyRecords, ensureDefaultPolicy } from '../policy/policy-records.ts';
import { applyRetention } from '../policy/retention-pass.ts';
import { policySaveErrors } from '../policy/policy-save-rules.ts';

function instant(value: string | undefined, fallback: Date, field: string): Date {
  if (value === undefined) return fallback;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new LabvaultError(ErrorCodes.INVALID_INPUT, `${field} must be an ISO 8601 instant such as 2026-03-29T00:00:00Z.`, { field });
  return parsed;
}

export function policyHandlers(engine: EngineServices): ChannelHandlers['policies'] {
  const session = (vault: string) => engine.vaults.session(vault);
  return {
    list: async ({ vault }) => {
      const opened = await session(vault);
      await ensureDefaultPolicy(opened, engine.clock.now());
      return listPolicyRecords(opened).map((record) => policyView(opened, record, engine.clock.now()));
    },
    show: async ({ vault, name }) => {
      const opened = await session(vault);
      return policyView(opened, findPolicyRecord(opened, name), engine.clock.now());
    },
    validate: async ({ policy }) => {
      const result = validatePolicy(policy);
      if (!result.ok) return { ok: false, errors: result.errors };
      // The rules a saved policy must also meet: retention weekdays the schedule runs, something kept.
      const errors = policySaveErrors(result.policy, engine.clock.now());
      return { ok: errors.length === 0, errors };
    },
    create: async ({ vault, policy }) => {
      const opened = await session(vault);
      return policyView(opened, await createPolicy(engine, opened, policy), engine.clock.now());
    },
    update: async ({ vault, name, policy }) => {
      const opened = await session(vault);
      const record = await updatePolicy(engine, opened, name, policy);
      await applyRetention(engine, opened, engine.clock.now());
      return policyView(opened, record, engine.clock.now());
    },
    delete: async ({ vault, name }) => {
      await deletePolicy(await session(vault), name);
      return { deleted: true };
    },
    previewRuns: async ({ policy, from, count }) => previewRuns(parsePolicy(policy), instant(from, engine.clock.now(), 'from'), count ?? 10)
      .map((run) => ({ at: run.at, local: run.local, dst: run.dst })),
    previewRetention: async ({ policy, from }) => simulateRetention(parsePolicy(policy), instant(from, engine.clock.now(), 'from')),
    nextRuns: async ({ policy, from, count }) => {
      const start = from === undefined ? engine.clock.now() : parseInstant(from, 'from', '--from');
      return previewRuns(parsePolicy(policy), start, count ?? 10)
        .map((run) => ({ at: run.at, local: run.local, dst: run.dst }));
    },
    previewPoints: async ({ policy, points, now }) => (
      previewRetention(points as PreviewPointInput[], parsePolicy(policy), now ?? engine.clock.now())
    ),
    previewChange: async ({ vault, name, policy }) => {
      const opened = await session(vault);
      return previewPolicyChange(engine, opened, findPolicyRecord(opened, name), parsePolicy(policy));
    },
  };
}
