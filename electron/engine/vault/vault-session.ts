/**
 * An opened vault: its directory, its settings and its catalog. One per vault per
 * process, cached by the VaultDirectory.
 */
import type { CatalogDb } from '../catalog/vault-catalog.ts';
import type { VaultConfig } from './vault-config.ts';

export interface VaultSession {
  readonly dir: string;
  config: VaultConfig;
  readonly catalog: CatalogDb;
}
