/** Names of what Labvault keeps in its app home (app-home.ts says where that is). */

/** The list of vaults this app knows (known-vaults.ts). */
export const KNOWN_VAULTS_FILE = 'known-vaults.json';
/** Folder holding the catalogs of encrypted vaults (catalog/vault-catalog.ts). */
export const EXTERNAL_CATALOGS_DIR = 'catalogs';
