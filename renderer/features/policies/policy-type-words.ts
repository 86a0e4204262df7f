/**
 * How the two policy types read for a workstation user. The model keeps 'standard' and
 * 'enhanced' (the CLI's --type); the UI names them by what they allow.
 */
import type { PolicyType } from '../../../shared/policy.ts';

export const POLICY_TYPE_LABEL: Record<PolicyType, string> = {
  standard: 'Daily/weekly policy',
  enhanced: 'Hourly policy (every 4 to 24 h within a window)',
};

/** Short name for tables and badges. */
export const POLICY_TYPE_SHORT: Record<PolicyType, string> = { standard: 'Daily/weekly', enhanced: 'Hourly' };

/** One line saying what the type allows, shown where the type first appears. */
export const POLICY_TYPE_EXPLANATION: Record<PolicyType, string> = {
  standard: 'Backups daily or on chosen weekdays; fast restore copies kept on this disk 1 to 5 days.',
  enhanced: 'Can also back up several times a day (every 4, 6, 8, 12 or 24 h inside a time window);'
    + ' fast restore copies kept on this disk 1 to 30 days.',
};
