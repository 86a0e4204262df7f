/**
 * A running libvirt domain backed up live, end to end, through the real CLI and a real
 * libvirtd (qemu-system-x86_64 under TCG: a blank qcow2 at the firmware screen, no KVM):
 * `protect --vm /etc/libvirt/qemu/NAME.xml`, then `backup` takes a disk-only external
 * snapshot (overlay in a temp folder), transfers the frozen image, and blockcommits back.
 * Afterwards the domain still runs on its original disk, no snapshot metadata is left, and the
 * point restores bit-exact to the disk's content at snapshot time (a firmware screen writes
 * nothing, so a copy taken just before the backup is that content; QEMU refuses a second
 * writer on the disk, so no write is injected during the freeze). Skipped, saying why, where
 * libvirtd cannot be reached (virsh -c qemu:///system).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item, Point } from '../../../shared/contract/item-models.ts';
import { removeDir } from '../../support/disk-fixtures.ts';
import { makeVmItemsRoot, type VmItemsRoot } from './vm-items-kit.ts';

const URI = 'qemu:///system';
const LIVE_TEST_MS = 600_000;

function virsh(...args: string[]): string {
  return execFileSync('virsh', ['-c', URI, ...args], { encoding: 'utf8', timeout: 120_000 });
}

function libvirtProblem(): string | null {
  const probe = spawnSync('virsh', ['-c', URI, 'list', '--all'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return `virsh is not installed (${probe.error.message}); apt install libvirt-clients libvirt-daemon-system qemu-system-x86`;
  if (probe.status !== 0) return `libvirtd is not reachable at ${URI}: ${(probe.stderr || probe.stdout).trim()} (start it: libvirtd -d; virtlogd -d)`;
  if (spawnSync('qemu-system-x86_64', ['--version']).status !== 0) return 'qemu-system-x86_64 is not installed (apt install qemu-system-x86)';
  return null;
}

const problem = libvirtProblem();
if (problem) console.log(`libvirt live backup test skipped: ${problem}`);

let kit: VmItemsRoot;
const name = `labvault-live-${randomUUID().slice(0, 8)}`;
let disk: string;

beforeAll(() => {
  if (problem) return;
  kit = makeVmItemsRoot('labvault-libvirt-live-');
  // qemu runs as its own user: the disk's folder must be reachable for it.
  chmodSync(kit.root, 0o755);
  disk = join(kit.root, 'live.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '64M']);
  execFileSync('qemu-io', ['-c', 'write -P 0xab 0 1M', '-c', 'write -P 0x5c 40M 3M', disk], { stdio: 'ignore' });
  const xml = join(kit.root, 'domain.xml');
  writeFileSync(xml, `<domain type='qemu'>
  <name>${name}</name>
  <uuid>${randomUUID()}</uuid>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='${disk}'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <graphics type='vnc' port='-1' listen='127.0.0.1'/>
  </devices>
</domain>
`);
  virsh('define', xml);
  virsh('start', name);
});

afterAll(() => {
  if (problem) return;
  spawnSync('virsh', ['-c', URI, 'destroy', name]);
  spawnSync('virsh', ['-c', URI, 'undefine', name]);
  removeDir(kit.root);
});

describe.skipIf(problem !== null)('live backup of a running libvirt domain', () => {
  it('snapshots, transfers the frozen disk, blockcommits, and restores bit-exact', () => {
    const config = `/etc/libvirt/qemu/${name}.xml`;
    expect(existsSync(config)).toBe(true);
    const virshDir = execFileSync('sh', ['-c', 'command -v virsh'], { encoding: 'utf8' }).trim().replace(/\/virsh$/, '');
    kit.tool('virsh', `exec ${virshDir}/virsh "$@"`);
    const item = kit.ok('protect', '--vault', kit.vault, '--vm', config, '--name', 'live', '--json').json<Item>();
    expect(item.vm).toMatchObject({ hypervisor: 'libvirt-qemu', configPath: config });
    const atSnapshot = join(kit.root, 'expected.qcow2');
    copyFileSync(disk, atSnapshot);

    const job = kit.backup('live');
    expect(job.status, JSON.stringify(job)).toBe('completed');
    expect(job.subtasks[0]?.message).toMatch(/libvirt disk-only external snapshot/);
    const [point] = kit.ok('points', 'list', 'live', '--json').json<Point[]>();
    expect(point?.consistency).toBe('crash-consistent');
    expect(point?.vm).toMatchObject({ state: 'running', quiesced: false });

    // The domain runs on, on its original disk; no overlay is left in use.
    expect(virsh('domstate', name).trim()).toBe('running');
    expect(virsh('domblklist', name)).toContain(disk);
    expect(virsh('domblklist', name)).not.toContain('labvault-overlay');

    // No snapshot metadata is left behind (--no-metadata), and nothing is left in the domain's chain.
    expect(virsh('snapshot-list', name, '--name').trim()).toBe('');
    expect(virsh('domblklist', name, '--details')).not.toMatch(/overlay/);

    // The point holds the disk as it was when the snapshot froze it, bit for bit.
    const restored = join(kit.root, 'restored');
    kit.ok('restore', 'disks', 'live', '--point', point?.id ?? '', '--to', restored, '--file', 'live.qcow2');
    expect(readFileSync(join(restored, 'live.qcow2')).equals(readFileSync(atSnapshot))).toBe(true);
  }, LIVE_TEST_MS);
});
