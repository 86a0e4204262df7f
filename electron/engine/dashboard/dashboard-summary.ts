/**
 * The dashboard: every vault's items with their health (and why), the next scheduled runs,
 * job counts of the last day and open alerts, as one summary the UI shows.
 */
import type { Dashboard } from '../../../shared/contract/dashboard-channels.ts';
import { MS_PER_DAY } from '../../../shared/time-units.ts';
import { openAlertsAbout, type AlertService } from '../alerts/alert-service.ts';
import { BACKUP_FAILED_ALERT, ensureBackupFailureAlert } from '../alerts/backup-failure-alert.ts';
import type { Clock } from '../app/clock.ts';
import { lastBackupJob, recentJobCounts, settleInterruptedJobs } from '../jobs/job-catalog.ts';
import { nextRuns } from '../policy/next-runs.ts';
import { listItemRecords } from '../protection/item-catalog.ts';
import { confirmationProblems } from '../protection/item-confirmation.ts';
import { itemView } from '../protection/item-view.ts';
import type { VaultDirectory } from '../vault/vault-directory.ts';
import { listPolicyRecords } from '../policy/policy-records.ts';
import type { VaultKeyring } from '../vault/vault-keyring.ts';
import { vaultUsage } from '../vault/vault-usage.ts';

/** What the summary reads: the clock, the vaults (and this machine's trust), open alerts. */
export interface DashboardServices {
  readonly clock: Clock;
  readonly vaults: Pick<VaultDirectory, 'list' | 'session' | 'trust'>;
  readonly alerts: Pick<AlertService, 'list' | 'raiseOrRepeat' | 'resolve'>;
  /** For each vault's usage (vault-usage.ts): stored bytes come from the same place as the Vaults page's. */
  readonly keyring: Pick<VaultKeyring, 'store' | 'isUnlocked'>;
}

export async function dashboardSummary(services: DashboardServices): Promise<Dashboard> {
  const now = services.clock.now();
  const vaults = await services.vaults.list();
  const summary: Dashboard = {
    vaults: [], items: [], jobs: { inProgress: 0, failed24h: 0, completed24h: 0 },
    alerts: [], upcoming: [],
  };
  for (const vault of vaults) {
    if (vault.status !== 'ok') {
      summary.vaults.push({
        id: vault.id, name: vault.name, storedBytes: 0, items: 0, immutability: vault.immutability,
        status: vault.status,
      });
      continue;
    }
    const session = await services.vaults.session(vault.id);
    const items = listItemRecords(session);
    const policies = new Map(listPolicyRecords(session).map((record) => [record.id, record]));
    const unconfirmed = await confirmationProblems(services.vaults.trust, items.map((record) => ({ session, record })));
    settleInterruptedJobs(session);
    let stored = 0;
    for (const record of items) {
      const item = itemView(session, record, now);
      stored += item.storedBytes;
      let health: 'healthy' | 'warning' | 'critical' = 'healthy';
      let reason = 'Last backup succeeded.';
      let alertId: string | null = null;
      if (record.state !== 'protected') {
        health = 'warning';
        reason = record.state === 'stopped' ? 'Protection stopped.' : `Soft-deleted; purged ${record.purgeAt ?? ''}.`;
      } else if (unconfirmed.has(`${session.config.id}/${record.id}`)) {
        health = 'warning';
        reason = 'Not backed up on this machine until its files are confirmed (labvault item confirm).';
      } else if (item.lastBackupStatus === 'failed') {
        health = 'critical';
        // Health and alerts agree: a failed last backup has its alert (raised now if its process died first).
        const failed = lastBackupJob(session, record.id);
        if (failed) await ensureBackupFailureAlert(services.alerts, session, failed);
        alertId = openAlertsAbout(session, BACKUP_FAILED_ALERT, record.id)[0]?.id ?? null;
        reason = alertId === null ? 'The last backup failed (its alert was acknowledged).' : 'The last backup failed.';
      } else if (!item.lastBackupAt) {
        health = 'warning';
        reason = 'No backup yet.';
      } else if (now.getTime() - Date.parse(item.lastBackupAt) > 2 * MS_PER_DAY) {
        health = 'warning';
        reason = 'No backup in the last 2 days.';
      }
      summary.items.push({
        id: item.id, name: item.name, vaultName: vault.name, state: item.state, lastBackupAt: item.lastBackupAt,
        lastBackupStatus: item.lastBackupStatus, health, healthReason: reason, storedBytes: item.storedBytes,
        nextRunAt: item.nextRunAt ?? null, alertId,
      });
      const policy = policies.get(record.policyId);
      if (policy && record.state === 'protected' && !unconfirmed.has(`${session.config.id}/${record.id}`)) {
        for (const at of nextRuns(policy.policy, now, 3)) {
          summary.upcoming.push({
            at: at.toISOString(), item: record.name, vaultName: vault.name, policy: policy.name,
          });
        }
      }
    }
    const usage = services.keyring.isUnlocked(session)
      ? await vaultUsage(services, session).catch(() => undefined) : undefined;
    summary.vaults.push({
      id: vault.id, name: vault.name, storedBytes: usage?.storedBytes ?? stored, items: items.length,
      immutability: vault.immutability, status: vault.status, ...(usage ? { usage } : {}),
    });
    const counts = recentJobCounts(session, new Date(now.getTime() - MS_PER_DAY).toISOString());
    summary.jobs.inProgress += counts.running;
    summary.jobs.failed24h += counts.failed;
    summary.jobs.completed24h += counts.completed;
  }
  // Read after the items: an alert raised for a failed backup above is listed.
  summary.alerts = await services.alerts.list();
  summary.upcoming.sort((a, b) => a.at.localeCompare(b.at));
  summary.upcoming = summary.upcoming.slice(0, 20);
  return summary;
}
