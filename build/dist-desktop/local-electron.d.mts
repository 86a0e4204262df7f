// Types of local-electron.mjs, for the tests that import it.
export interface LocalElectron {
  /** An unpacked Electron folder, a folder holding the release zip, or the zip itself. */
  path: string;
  /** Where it was found: --electron-dist, ELECTRON_DIST, node_modules/electron or "cache <dir>". */
  source: string;
}

export declare function pinnedElectronVersion(root: string): string;
export declare function releaseZipName(version: string, platform?: string, arch?: string): string;
export declare function findLocalElectron(
  root: string,
  options?: { args?: string[]; env?: Record<string, string | undefined>; platform?: string },
): LocalElectron | null;
