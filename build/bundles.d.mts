import type { BuildOptions } from 'esbuild';

export declare const PRELOAD_TARGET: string;
export declare const NODE_TARGET: string;
export declare function mainBundle(root: string, outDir?: string): BuildOptions & { outfile: string };
export declare function preloadBundle(root: string, outDir?: string): BuildOptions & { outfile: string };
export declare function cliBundle(root: string, outDir?: string): BuildOptions & { outfile: string };
export declare function guestWorkerBundle(root: string, face: 'main' | 'cli', outDir?: string): BuildOptions & { outfile: string };
