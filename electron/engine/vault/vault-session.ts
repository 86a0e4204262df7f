/**
 * An opened vault: its directory, its settings and its catalog. One per vault per
 * process, cached by the VaultDirectory.
 */
import type { CatalogDb } from '../catalog/vault-catalog.ts';
import type { ImmutabilityMemory } from '../app/machine-trust.ts';
import type { VaultConfig } from './vault-config.ts';
import type { RecordStore } from './record-store.ts';

export interface VaultSession {
  readonly dir: string;
  config: VaultConfig;
  catalog: CatalogDb;
  /** Path of the catalog database (see catalogLocation). */
  readonly catalogFile: string;
  /** An encrypted vault opened without its keys and an empty catalog: indexed on unlock. */
  indexPending?: boolean;
  /** Items, policies and job records kept in the vault's own files. */
  readonly records: RecordStore;
  /** The strongest immutability this machine has seen for this vault (see immutability-state.ts). */
  immutabilityMemory?: ImmutabilityMemory | undefined;
}
