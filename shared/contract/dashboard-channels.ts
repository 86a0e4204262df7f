import { z } from '../zod-jitless.ts';
import { channel } from './define.ts';
import { AlertSchema } from './item-models.ts';
import { VaultUsageSchema } from './models.ts';

export const DashboardSchema = z.object({
  vaults: z.array(z.object({
    id: z.string(), name: z.string(), storedBytes: z.number(), items: z.number().int(), immutability: z.string(),
    status: z.string(),
    /** The same figures as vaults.usage (storedBytes is usage.storedBytes when present). */
    usage: VaultUsageSchema.optional(),
  })),
  items: z.array(z.object({
    id: z.string(), name: z.string(), vaultName: z.string(), state: z.string(),
    lastBackupAt: z.string().nullable(), lastBackupStatus: z.string().nullable(),
    health: z.enum(['healthy', 'warning', 'critical']), healthReason: z.string(),
    storedBytes: z.number(), nextRunAt: z.string().nullable(),
    /** The open alert about this item's failed last backup (null when none is open: acknowledged, or healthy). */
    alertId: z.string().nullable().optional(),
  })),
  jobs: z.object({ inProgress: z.number().int(), failed24h: z.number().int(), completed24h: z.number().int() }),
  alerts: z.array(AlertSchema),
  upcoming: z.array(z.object({ at: z.string(), item: z.string(), vaultName: z.string(), policy: z.string() })),
});
export type Dashboard = z.infer<typeof DashboardSchema>;

export const dashboardChannels = {
  'dashboard.summary': channel(z.object({}), DashboardSchema, 'Protected items, health, alerts, storage, upcoming runs.'),
  'alerts.list': channel(z.object({ vault: z.string().optional(), includeAcknowledged: z.boolean().optional() }), z.array(AlertSchema), 'Alerts, newest first.'),
  'alerts.acknowledge': channel(z.object({ id: z.string() }), z.object({ ok: z.boolean() }), 'Mark an alert as seen.'),
  /**
   * Native pickers: implemented by the Electron face; the browser host answers UNSUPPORTED and the UI shows a path
   * field.
   */
  'dialogs.pickFolder': channel(z.object({ title: z.string().optional(), defaultPath: z.string().optional() }), z.object({ path: z.string().nullable() }), 'Native folder picker (desktop app only).'),
  'dialogs.pickFiles': channel(z.object({ title: z.string().optional() }), z.object({ paths: z.array(z.string()) }), 'Native file picker (desktop app only).'),
} as const;
