/**
 * `labvault --version [--json]`: the package.json version, the vault format versions this
 * build reads and writes, and the Node.js it runs on (the installed package bundles its own).
 */
import { appVersion, formatVersions, type FormatVersionRange } from '../engine/index.ts';
import type { CliIo, ParsedArgs } from './cli-command.ts';
import { printJson } from './cli-context.ts';
import { booleanFlag } from './parse-args.ts';

export interface VersionReport {
  version: string;
  formats: FormatVersionRange[];
  node: string;
}

export function versionReport(): VersionReport {
  return { version: appVersion(), formats: formatVersions(), node: process.versions.node };
}

function versionList(versions: number[]): string {
  const [first, last] = [versions[0], versions[versions.length - 1]];
  return versions.length > 2 ? `${first}-${last}` : versions.join(', ');
}

export function printVersion(args: ParsedArgs, io: CliIo): number {
  const report = versionReport();
  if (booleanFlag(args, 'json')) {
    printJson(io, report);
    return 0;
  }
  io.out(`labvault ${report.version}`);
  for (const format of report.formats) {
    io.out(`${format.name} format: writes ${versionList(format.writes)}; reads ${versionList(format.reads)}`);
  }
  io.out(`node ${report.node}`);
  return 0;
}
