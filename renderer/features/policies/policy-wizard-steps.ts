/** The policy wizard's steps (a discriminated union) and which fields each step owns. */
import type { PolicyView } from '../../../shared/contract/policy-channels.ts';

export type PolicyStep =
  | { kind: 'schedule' }
  | { kind: 'zone' }
  | { kind: 'instant' }
  | { kind: 'retention' }
  | { kind: 'preview' }
  | { kind: 'review'; error: string | null }
  | { kind: 'saving' }
  | { kind: 'done'; policy: PolicyView };

export const POLICY_STEP_LABELS = ['Schedule', 'Time zone', 'Fast restore', 'Retention', 'Preview', 'Review and save'] as const;

export function policyStepIndex(step: PolicyStep): number {
  switch (step.kind) {
    case 'schedule': return 0;
    case 'zone': return 1;
    case 'instant': return 2;
    case 'retention': return 3;
    case 'preview': return 4;
    case 'review': case 'saving': return 5;
    case 'done': return 6;
  }
}

/** Field prefixes (validatePolicy paths) that block leaving each editing step. */
export const STEP_FIELDS = {
  schedule: ['name', 'schedule', 'type', 'policy'],
  zone: ['timeZone'],
  instant: ['instantRestoreDays'],
  retention: ['retention'],
} as const;
