/**
 * An opened vault: its directory, its settings and its catalog. One per vault per
 * process, cached by the VaultDirectory.
 */
import type { CatalogDb } from '../catalog/vault-catalog.ts';
import type { VaultConfig } from './vault-config.ts';
import type { RecordStore } from './record-store.ts';

export interface VaultSession {
  readonly dir: string;
  config: VaultConfig;
  catalog: CatalogDb;
  /** Items, policies and job records kept in the vault's own files. */
  readonly records: RecordStore;
}
