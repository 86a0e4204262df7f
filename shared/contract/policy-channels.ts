import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';

export const PolicyFieldErrorSchema = z.object({ field: z.string(), message: z.string() });

export const PolicyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['standard', 'enhanced']),
  isDefault: z.boolean(),
  /** The policy as in policy.json (see shared/policy.ts). */
  body: z.record(z.string(), z.unknown()),
  items: z.array(z.string()),
  nextRuns: z.array(z.string()),
});
export type PolicyView = z.infer<typeof PolicyViewSchema>;

export const RunPreviewSchema = z.object({
  at: z.string(),
  /** Local wall-clock time in the policy's zone, e.g. "2026-03-29 03:00". */
  local: z.string(),
  /** Set when the day has a DST change ('gap' moved the run, 'overlap' ran once). */
  dst: z.enum(['gap', 'overlap', 'change']).nullable(),
});

export const RetentionPictureSchema = z.object({
  from: z.string(),
  to: z.string(),
  points: z.array(z.object({
    time: z.string(), keep: z.boolean(), until: z.string().nullable(), rules: z.array(z.string()),
  })),
});

export const RetentionChangeSchema = z.object({
  removed: z.array(z.object({ pointId: z.string(), item: z.string(), createdAt: z.string(), reason: z.string() })),
  kept: z.number().int(),
  refusal: z.string().nullable(),
});

export const PointDecisionSchema = z.object({
  id: z.string(),
  keep: z.boolean(),
  until: z.string().nullable(),
  rules: z.array(z.string()),
});

const PolicyBody = z.unknown();

export const policyChannels = {
  'policies.list': channel(z.object({ vault: z.string() }), z.array(PolicyViewSchema), 'Policies of a vault and the items using them.'),
  'policies.show': channel(z.object({ vault: z.string(), name: z.string() }), PolicyViewSchema, 'One policy.'),
  'policies.validate': channel(z.object({ policy: PolicyBody }), z.object({ ok: z.boolean(), errors: z.array(PolicyFieldErrorSchema) }), 'Field-level validation of a policy.'),
  'policies.create': channel(z.object({ vault: z.string(), policy: PolicyBody }), PolicyViewSchema, 'Create a policy.'),
  'policies.update': channel(z.object({ vault: z.string(), name: z.string(), policy: PolicyBody }), PolicyViewSchema, 'Change a policy; retention of existing points is re-evaluated.'),
  'policies.delete': channel(z.object({ vault: z.string(), name: z.string() }), z.object({ deleted: z.boolean() }), 'Delete a policy no item uses (never DefaultPolicy).'),
  'policies.previewRuns': channel(z.object({ policy: PolicyBody, from: z.string().optional(), count: z.number().int().min(1).max(500).optional() }), z.array(RunPreviewSchema), 'Next run times, DST days marked.'),
  'policies.previewRetention': channel(z.object({ policy: PolicyBody, from: z.string().optional() }), RetentionPictureSchema, 'Which points a year of scheduled backups would keep.'),
  'policies.nextRuns': channel(
    z.object({ policy: PolicyBody, from: z.string().optional(), count: z.number().int().min(1).max(500).optional() }),
    z.array(RunPreviewSchema),
    'Next run times from an instant with a zone (strict ISO 8601), DST days marked.',
  ),
  'policies.previewPoints': channel(
    z.object({ policy: PolicyBody, points: z.unknown(), now: z.string().optional() }),
    z.array(PointDecisionSchema),
    'Which of the given points (id, time, onDemandUntil?, scheduled?) a policy keeps at an instant, and until when.',
  ),
  'policies.previewChange': channel(z.object({ vault: z.string(), name: z.string(), policy: PolicyBody }), RetentionChangeSchema, 'Points a policy change would remove, before saving.'),
} as const;
