/**
 * Replace existing (`labvault restore replace`), through the real CLI on a VirtualBox VM
 * with two VDI disks (VirtualBox is not installable here: its state comes from /proc, or a
 * recorded VBoxManage stand-in that says it runs):
 * - refused with a wrong --confirm (exit 2) and while the VM runs (exit 2), nothing touched;
 * - a replace backs up the current state first as a point of its own (restored and compared
 *   with the old disks), then every disk is the point's (digests and qemu-img check);
 * - killed with SIGKILL at five moments (journal written, first file being written, a file
 *   staged, swapping started, a file swapped), every file is always either the old or the
 *   new one, never torn; a plain replace and a backup are then refused saying how to finish; --rollback
 *   gives back all the old files and --resume all the new ones (digests checked each time);
 * - a plain file item (no VM) is replaced the same way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, Point } from '../../../shared/contract/item-models.ts';
import { removeDir, requireQemuImg, writePatternRaw } from '../../support/disk-fixtures.ts';
import { startCli } from '../../support/cli-runner.ts';
import { vdiUuid } from '../discovery/vm-fixture-kit.ts';
import { makeVirtualBoxVm, VBOX_MACHINE_UUID, type VmFixture } from './vm-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';

const hasQemu = requireQemuImg();
const MiB = 1024 * 1024;
let kit: VmItemsRoot;
let vm: VmFixture;
let disks: string[];

function sha(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function digests(): string[] {
  return [vm.config, ...disks].map(sha);
}

function qemuIo(disk: string, command: string): void {
  execFileSync('qemu-io', ['-c', command, disk], { stdio: 'ignore' });
}

function qemuCheckClean(disk: string): void {
  execFileSync('qemu-img', ['check', '-q', disk]);
}

/** Adds a second VDI to the fixture VM: registered in the media registry, attached at SATA port 1. */
function addDataDisk(fixture: VmFixture): string {
  const disk = join(fixture.dir, 'web-data.vdi');
  execFileSync('qemu-img', ['create', '-q', '-f', 'vdi', disk, '32M']);
  const uuid = vdiUuid(disk);
  const text = readFileSync(fixture.config, 'utf8')
    .replace('</HardDisks>', `  <HardDisk uuid="{${uuid}}" location="web-data.vdi" format="VDI" type="Normal"/>\n      </HardDisks>`)
    .replace('<AttachedDevice passthrough="false" type="DVD" hotpluggable="false" port="1" device="0"/>',
      `<AttachedDevice type="HardDisk" hotpluggable="false" port="1" device="0">\n            <Image uuid="{${uuid}}"/>\n          </AttachedDevice>`);
  writeFileSync(fixture.config, text);
  return disk;
}

function writeState(fill: number): void {
  qemuIo(disks[0]!, `write -P ${fill} 0 8M`);
  qemuIo(disks[1]!, `write -P ${fill + 1} 0 24M`);
}

function pointsOf(item: string): Point[] {
  return kit.ok('points', 'list', item, '--json').json<Point[]>();
}

function journalPath(): string | null {
  const folder = join(kit.home, 'restore-replace');
  if (!existsSync(folder)) return null;
  const name = readdirSync(folder).find((entry) => entry.endsWith('.json'));
  return name ? join(folder, name) : null;
}

interface JournalView { phase: string; files: { state: string; temp: string }[] }

function journal(): JournalView | null {
  const path = journalPath();
  if (!path) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as JournalView;
  } catch {
    return null; // being replaced this instant
  }
}

const KILL_MOMENTS: { name: string; reached: (view: JournalView | null) => boolean }[] = [
  { name: 'journal written', reached: (view) => view !== null },
  { name: 'first file being written', reached: (view) => view !== null && existsSync(view.files.find((file) => file.state === 'pending')?.temp ?? '\0') },
  { name: 'a file staged', reached: (view) => view !== null && view.files.some((file) => file.state === 'staged') },
  { name: 'swapping started', reached: (view) => view?.phase === 'swapping' },
  { name: 'a file swapped', reached: (view) => view !== null && view.files.some((file) => file.state === 'swapped') },
];

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a replace and kills it (SIGKILL) once the journal shows `moment`; false when it ended first. */
async function replaceKilledAt(point: string, moment: (view: JournalView | null) => boolean): Promise<boolean> {
  const run = startCli(kit.home, ['restore', 'replace', 'web', '--point', point, '--confirm', 'web', '--json'], { env: { PATH: kit.bin } });
  let ended = false;
  void run.result.then(() => { ended = true; });
  for (let polls = 0; polls < 20_000 && !ended; polls += 1) {
    if (moment(journal())) {
      run.child.kill('SIGKILL');
      const result = await run.result;
      return result.signal === 'SIGKILL';
    }
    await sleep(2);
  }
  const result = await run.result;
  expect(result.code, result.stderr).toBe(0);
  return false;
}

beforeAll(() => {
  if (!hasQemu) return;
  kit = makeVmItemsRoot('labvault-replace-');
  vm = makeVirtualBoxVm(join(kit.root, 'vms'), 'web');
  disks = [vm.disk, addDataDisk(vm)];
  writeState(0x11);
});

afterAll(() => {
  if (kit) removeDir(kit.root);
});

describe.skipIf(!hasQemu)('restore replace of a VirtualBox VM', () => {
  let stateA: string[];
  let stateB: string[];
  let pointA: string;
  let pointB: string;

  it('refuses a wrong --confirm and a running VM (exit 2), touching nothing; then replaces, backing up the current state first', () => {
    kit.ok('protect', '--vault', kit.vault, '--vm', vm.config, '--json');
    expect(kit.backup('web').status).toBe('completed');
    stateA = digests();
    pointA = pointsOf('web')[0]!.id;
    writeState(0x51);
    expect(kit.backup('web').status).toBe('completed');
    stateB = digests();
    pointB = pointsOf('web').find((point) => point.id !== pointA)!.id;
    expect(stateB.slice(1)).not.toEqual(stateA.slice(1));

    const wrong = kit.cli('restore', 'replace', 'web', '--point', pointA, '--confirm', 'Web', '--json');
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/\[INVALID_INPUT\] \(confirm\).*type its name exactly/);

    const vbox = kit.tool('VBoxManage', `case "$1" in
  showvminfo) echo 'name="web"'; echo 'UUID="${VBOX_MACHINE_UUID}"'; echo 'VMState="running"'; exit 0;;
  list) echo '"web" {${VBOX_MACHINE_UUID}}'; exit 0;;
esac
exit 1`);
    const running = kit.cli('restore', 'replace', 'web', '--point', pointA, '--confirm', 'web');
    expect(running.code).toBe(2);
    expect(running.stderr).toMatch(/\[CONFLICT\].*VM "web" is running.*shut it down/);
    execFileSync('rm', [vbox]);
    expect(digests()).toEqual(stateB);
    expect(pointsOf('web')).toHaveLength(2);

    const replaced = kit.ok('restore', 'replace', 'web', '--point', pointA, '--confirm', 'web', '--json').json<Job>();
    expect(replaced.status).toBe('completed');
    expect(replaced.subtasks.map((subtask) => [subtask.name, subtask.status])).toEqual([['Restore', 'completed'], ['Verify', 'completed']]);
    expect(digests()).toEqual(stateA);
    for (const disk of disks) qemuCheckClean(disk);
    expect(journalPath()).toBeNull();
    expect(readdirSync(vm.dir).filter((name) => name.includes('labvault-'))).toEqual([]);

    // The state before the replace is a point of its own, and it is state B.
    const points = pointsOf('web');
    expect(points).toHaveLength(3);
    const pre = points.find((point) => point.id !== pointA && point.id !== pointB)!;
    expect(replaced.subtasks[0]!.message).toContain(pre.id);
    const back = join(kit.root, 'pre-point');
    kit.ok('restore', 'disks', 'web', '--point', pre.id, '--to', back, '--json');
    expect(['web.vbox', 'web.vdi', 'web-data.vdi'].map((name) => sha(join(back, name)))).toEqual(stateB);
  }, 180_000);

  it('killed at five moments, leaves each file old or new; then refuses a new replace and --rollback / --resume finish it', async () => {
    let current = stateA;
    const interrupted: string[] = [];
    for (const [round, moment] of KILL_MOMENTS.entries()) {
      const [target, targetPoint] = current === stateA ? [stateB, pointB] : [stateA, pointA];
      const killed = await replaceKilledAt(targetPoint, moment.reached);
      const now = digests();
      now.forEach((digest, i) => expect([current[i], target[i]], `${moment.name}: file ${i}`).toContain(digest));
      if (!killed || journalPath() === null) {
        // It finished (or was killed before anything was staged): all new, or all old.
        expect([current, target], moment.name).toContainEqual(now);
        current = now.every((digest, i) => digest === target[i]) ? target : current;
        continue;
      }
      interrupted.push(moment.name);
      if (interrupted.length === 1) {
        // Said once (each CLI run costs seconds): the pending replace and how to finish it; a new one is refused.
        const status = kit.ok('restore', 'replace', 'web', '--pending', '--json').json<{ pending: { howTo: string } | null }>();
        expect(status.pending?.howTo).toMatch(/--resume --confirm web.*--rollback --confirm web/);
        const again = kit.cli('restore', 'replace', 'web', '--point', targetPoint, '--confirm', 'web');
        expect(again.code, moment.name).toBe(2);
        expect(again.stderr).toMatch(/\[CONFLICT\].*was interrupted.*--resume/);
        // No backup (on demand or scheduled) makes a point of the half-replaced files.
        const backup = kit.cli('backup', 'web', '--json');
        expect(backup.code).toBe(2);
        expect(backup.stderr).toMatch(/\[CONFLICT\].*replace of "web" .* is unfinished/);
      }
      const rollback = round % 2 === 0;
      const finish = kit.cli('restore', 'replace', 'web', rollback ? '--rollback' : '--resume', '--confirm', 'web', '--json');
      const job = finish.json<Job>();
      expect(job.status, `${moment.name}: ${finish.stderr}`).toBe('completed');
      const expected = rollback ? current : target;
      expect(digests(), `${moment.name} then ${rollback ? 'rollback' : 'resume'}`).toEqual(expected);
      for (const disk of disks) qemuCheckClean(disk);
      expect(journalPath()).toBeNull();
      expect(readdirSync(vm.dir).filter((name) => name.includes('labvault-')), moment.name).toEqual([]);
      current = expected;
    }
    // Most kills land mid-replace (a fast machine may finish one before its moment is seen).
    process.stderr.write(`replace interrupted at: ${interrupted.join(', ')}\n`);
    expect(interrupted.length).toBeGreaterThanOrEqual(3);
    const none = kit.cli('restore', 'replace', 'web', '--resume', '--confirm', 'web');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No interrupted replace');
  }, 300_000);
});

describe.skipIf(!hasQemu)('restore replace of a plain file item', () => {
  it('puts the point\'s file back in place, keeping the current one as a point', () => {
    mkdirSync(join(kit.root, 'files'));
    const file = writePatternRaw(join(kit.root, 'files', 'data.raw'), { size: 4 * MiB, seed: 5 });
    const before = sha(file);
    kit.ok('protect', '--vault', kit.vault, '--name', 'data', file, '--json');
    expect(kit.backup('data').status).toBe('completed');
    const [point] = pointsOf('data');
    writePatternRaw(file, { size: 6 * MiB, seed: 6 });
    const job = kit.ok('restore', 'replace', 'data', '--point', point!.id, '--confirm', 'data', '--json').json<Job>();
    expect(job.status).toBe('completed');
    expect(sha(file)).toBe(before);
    expect(pointsOf('data')).toHaveLength(2);
  }, 120_000);
});
