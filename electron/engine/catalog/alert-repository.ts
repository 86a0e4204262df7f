/** The alerts table: rows mirror the alert records in data/records/alerts (the body is the alert's JSON). */
import type { Alert } from '../../../shared/contract/item-models.ts';
import type { CatalogDb } from './vault-catalog.ts';

/** How many alerts a list reads from one vault at most. */
export const ALERT_LIST_LIMIT = 500;

function decodeAlerts(rows: { body: string }[]): Alert[] {
  return rows.map((row) => JSON.parse(row.body) as Alert);
}

/** Inserts the alert, or replaces its body (acknowledgement) when it exists. */
export function upsertAlert(db: CatalogDb, alert: Alert): void {
  db.prepare(`INSERT INTO alerts (id, severity, created_at, body) VALUES (?, ?, ?, ?)
    ON CONFLICT(id) DO UPDATE SET body = excluded.body`)
    .run(alert.id, alert.severity, alert.createdAt, JSON.stringify(alert));
}

/** The newest alerts (at most ALERT_LIST_LIMIT), newest first, acknowledged ones included. */
export function listRecentAlerts(db: CatalogDb): Alert[] {
  const rows = db.prepare(`SELECT body FROM alerts ORDER BY created_at DESC LIMIT ${ALERT_LIST_LIMIT}`).all();
  return decodeAlerts(rows as { body: string }[]);
}

/** Every alert of the vault, in no particular order. */
export function listAllAlerts(db: CatalogDb): Alert[] {
  return decodeAlerts(db.prepare('SELECT body FROM alerts').all() as { body: string }[]);
}

export function findAlert(db: CatalogDb, id: string): Alert | null {
  const row = db.prepare('SELECT body FROM alerts WHERE id = ?').get(id) as { body: string } | undefined;
  return row ? (JSON.parse(row.body) as Alert) : null;
}
