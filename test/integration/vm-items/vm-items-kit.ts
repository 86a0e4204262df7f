/**
 * What the VM item tests share: a temp root with an app home, a vault made through the CLI,
 * and the real `labvault` CLI run with a PATH that holds only the tools a test puts there
 * (hypervisor stand-ins), so no hypervisor tool of this machine answers for a fixture VM.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Job } from '../../../shared/contract/item-models.ts';
import { makeTempDir } from '../../support/disk-fixtures.ts';
import { runLabvault, type CliRun } from '../../support/run-cli.ts';

export interface VmItemsRoot {
  root: string;
  home: string;
  bin: string;
  vault: string;
  cli(...args: string[]): CliRun;
  ok(...args: string[]): CliRun;
  /** Writes an executable stand-in (a shell script) into the PATH folder. */
  tool(name: string, script: string): string;
  backup(item: string): Job;
}

export function makeVmItemsRoot(prefix: string): VmItemsRoot {
  const root = makeTempDir(prefix);
  const home = join(root, 'home');
  const bin = join(root, 'bin');
  mkdirSync(bin);
  const env = (): Record<string, string> => ({ LABVAULT_HOME: home, PATH: bin });
  const cli = (...args: string[]): CliRun => runLabvault(args, env());
  const ok = (...args: string[]): CliRun => {
    const run = cli(...args);
    expect(run.code, `labvault ${args.join(' ')}\n${run.stdout}\n${run.stderr}`).toBe(0);
    return run;
  };
  const vault = 'vms';
  ok('vault', 'create', '--name', vault, '--path', join(root, 'vault'), '--json');
  return {
    root, home, bin, vault, cli, ok,
    tool(name, script) {
      const path = join(bin, name);
      writeFileSync(path, `#!/bin/sh\n${script}\n`);
      chmodSync(path, 0o755);
      return path;
    },
    backup(item) {
      const run = cli('backup', item, '--json');
      return JSON.parse(run.stdout) as Job;
    },
  };
}
