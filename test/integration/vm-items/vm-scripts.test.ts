/**
 * Pre- and post-backup scripts through the real CLI: set with `item update` and kept in this
 * machine's trust file (never in the vault); both run with LABVAULT_ITEM, LABVAULT_PHASE and
 * LABVAULT_VM_CONFIG; a failing pre-script fails the job with its exit code and stderr tail
 * and captures nothing, the post-script still runs; a pre-script past its timeout is killed
 * with its whole process group; a failing post-script is a warning on a completed job.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { removeDir, requireQemuImg } from '../../support/disk-fixtures.ts';
import { makeVirtualBoxVm, type VmFixture } from './vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';

const CLI_TEST_MS = 300_000;
const hasQemu = requireQemuImg();
let kit: VmItemsRoot;
let vm: VmFixture;
let log: string;

beforeEach(() => {
  kit = makeVmItemsRoot('labvault-vm-scripts-');
  vm = makeVirtualBoxVm(join(kit.root, 'vms'), 'db', 'poweroff');
  log = join(kit.root, 'scripts.log');
  kit.ok('protect', '--vault', kit.vault, '--vm', vm.config);
});

afterEach(() => {
  removeDir(kit.root);
});

function script(name: string, body: string): string {
  return kit.tool(name, `echo "$LABVAULT_PHASE item=$LABVAULT_ITEM config=$LABVAULT_VM_CONFIG" >> '${log}'\n${body}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function points(): Point[] {
  return kit.ok('points', 'list', 'db', '--json').json<Point[]>();
}

describe.skipIf(!hasQemu)('backup scripts', () => {
  it('run around the backup with their environment, from this machine only', () => {
    const pre = script('pre.sh', 'exit 0');
    const post = script('post.sh', 'exit 0');
    const item = kit.ok('item', 'update', 'db', '--pre-script', pre, '--post-script', post, '--script-timeout', '30', '--json')
      .json<Item>();
    expect(item.scripts).toEqual({ pre, post, timeoutSec: 30 });
    const job = kit.backup('db');
    expect(job.status, JSON.stringify(job)).toBe('completed');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      `pre item=db config=${vm.config}`, `post item=db config=${vm.config}`,
    ]);
    expect(points()[0]?.vm?.scripts).toEqual({ pre: `pre-script ${pre} succeeded`, post: `post-script ${post} succeeded` });
    // Kept in machine-trust.json, never in the vault's item record.
    expect(readFileSync(join(kit.home, 'machine-trust.json'), 'utf8')).toContain(pre);
    const records = join(kit.root, 'vault', 'data', 'records', 'items');
    for (const file of readdirSync(records)) expect(readFileSync(join(records, file), 'utf8')).not.toContain('pre.sh');
    const relative = kit.cli('item', 'update', 'db', '--pre-script', join(kit.root, 'missing.sh'));
    expect(relative.code).toBe(2);
    expect(relative.stderr).toMatch(/pre-script .*missing\.sh does not exist/);
  }, CLI_TEST_MS);

  it('a failing pre-script fails the job with its exit code and stderr, nothing is captured, the post-script runs', () => {
    const pre = script('pre.sh', 'echo "flush failed: table locked" >&2\nexit 3');
    script('post.sh', 'exit 0');
    kit.ok('item', 'update', 'db', '--pre-script', pre, '--post-script', join(kit.bin, 'post.sh'));
    const job = kit.backup('db');
    expect(job.status).toBe('failed');
    expect(job.error?.code).toBe('SCRIPT_FAILED');
    expect(job.error?.message).toMatch(/pre-script .*pre\.sh exited 3: flush failed: table locked\. Nothing was captured\./);
    expect(readFileSync(log, 'utf8')).toMatch(/^pre item=db.*\npost item=db/);
    expect(points()).toEqual([]);
  }, CLI_TEST_MS);

  it('a pre-script past its timeout is killed with its process group', () => {
    const pidFile = join(kit.root, 'child.pid');
    const pre = script('pre.sh', `/bin/sleep 120 &\necho $! > '${pidFile}'\n/bin/sleep 120`);
    kit.ok('item', 'update', 'db', '--pre-script', pre, '--script-timeout', '1');
    const job = kit.backup('db');
    expect(job.status).toBe('failed');
    expect(job.error?.message).toMatch(/ran past its timeout of 1 s and was killed/);
    const child = Number(readFileSync(pidFile, 'utf8').trim());
    // SIGKILL follows SIGTERM after a grace period; the group is gone within a bounded wait.
    for (let i = 0; i < 50 && alive(child); i += 1) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    expect(alive(child)).toBe(false);
    expect(points()).toEqual([]);
  }, CLI_TEST_MS);

  it('a failing post-script is a warning on a completed job; the point is kept', () => {
    const post = script('post.sh', 'echo "thaw failed" >&2\nexit 5');
    kit.ok('item', 'update', 'db', '--post-script', post);
    const job = kit.backup('db');
    expect(job.status).toBe('completed');
    expect(job.subtasks[0]?.message).toMatch(/Warning: the post-script .*post\.sh exited 5: thaw failed/);
    expect(points()).toHaveLength(1);
    expect(existsSync(log)).toBe(true);
    const cleared = kit.ok('item', 'update', 'db', '--post-script', '', '--json').json<Item>();
    expect(cleared.scripts).toBeUndefined();
  }, CLI_TEST_MS);
});
