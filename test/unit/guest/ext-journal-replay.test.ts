/**
 * The in-memory JBD2 replay against e2fsprogs: an image made with mkfs -d is changed on a
 * copy with debugfs (a new file whose first block starts with the JBD2 magic, a folder, a
 * removed symlink, a file rewritten); the blocks that differ are written into the
 * original's journal with debugfs as two transactions (the first also holds a junk copy
 * of /etc/hosts's data block that the second revokes), leaving needs_recovery set. The
 * reader on that image must list and read what it reads on a copy e2fsck replayed, and
 * differ from the unreplayed view. Damaged journals fall back or stop where e2fsck stops,
 * and mutations of the journal area read or end in typed errors.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferSource, fileSource } from '../../../electron/engine/guest/block-source-views.ts';
import { crc32Be } from '../../../electron/engine/guest/ext/crc32-be.ts';
import { ExtFilesystem, openExtFilesystem } from '../../../electron/engine/guest/ext/ext-filesystem.ts';
import { readSuperblock } from '../../../electron/engine/guest/ext/ext-superblock.ts';
import type { GuestFilesystem } from '../../../electron/engine/guest/guest-filesystem.ts';
import { testRestorePoint } from '../../../electron/engine/guest/guest-test-restore.ts';
import { GuestWorker } from '../../../electron/engine/guest/guest-worker-client.ts';
import { requireTool } from '../../support/required-tools.ts';
import { expectTypedOrFine, random, walk } from './guest-fuzz-kit.ts';
import { MIB, mkfsExt, patchFile, run, sparseFile } from './guest-image-kit.ts';
import { walkGuest, writeKnownTree } from './guest-tree-kit.ts';
import type { TreeEntry } from './guest-tree-kit.ts';

const haveTools = requireTool('debugfs', 'e2fsprogs', ['-V']) && requireTool('e2fsck', 'e2fsprogs', ['-V']);
const dir = mkdtempSync(join(tmpdir(), 'labvault-journal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const IMAGE_BYTES = 24 * MIB;
const MUTATIONS = 150;
const JBD2_MAGIC = Buffer.from([0xc0, 0x3b, 0x39, 0x98]);

interface Variant { name: string; kind: 'ext3' | 'ext4'; features?: string; blockSize?: number; journalOpen: string }
const VARIANTS: Variant[] = [
  { name: 'ext4 (metadata_csum, 64bit), journal csum v3', kind: 'ext4', journalOpen: 'jo -c -v 3' },
  { name: 'ext4 1 KiB blocks, journal csum v2', kind: 'ext4', blockSize: 1024, journalOpen: 'jo -c -v 2' },
  { name: 'ext4 without journal checksums', kind: 'ext4', features: '^metadata_csum', journalOpen: 'jo' },
  { name: 'ext3 (block-mapped journal, 32-bit tags)', kind: 'ext3', blockSize: 1024, journalOpen: 'jo' },
];

/** Runs debugfs commands on `image` (-w to write); fails on any error debugfs reports. */
function debugfs(image: string, commands: string[], write = true): string {
  const result = spawnSync('debugfs', [...(write ? ['-w'] : []), '-f', '-', image], { input: `${commands.join('\n')}\n`, encoding: 'utf8' });
  const errors = result.stderr.split('\n').filter((line) => line.trim() !== '' && !/^debugfs \d/.test(line));
  if (result.status !== 0 || errors.length > 0) throw new Error(`debugfs ${commands.join('; ')}: ${result.stderr}`);
  return result.stdout;
}

function blockSizeOf(image: Buffer): number {
  return 1024 << image.readUInt32LE(1024 + 24);
}

/** Journal (logical) block -> volume block, through debugfs's own bmap of inode 8. */
function journalPhysical(image: string, logical: number): number {
  const out = debugfs(image, [`bmap <8> ${logical}`], false);
  return Number(out.trim().split('\n').pop());
}

/** Logical journal blocks of each block debugfs's logdump finds: `${sequence}:${type}` -> blocks. */
function logLayout(image: string): Map<string, number[]> {
  const layout = new Map<string, number[]>();
  for (const match of debugfs(image, ['logdump'], false).matchAll(/Found expected sequence (\d+), type (\d+) .* at block (\d+)/g)) {
    const key = `${match[1]}:${match[2]}`;
    layout.set(key, [...(layout.get(key) ?? []), Number(match[3])]);
  }
  return layout;
}

interface Journaled { image: string; blockSize: number; hostsBlock: number; originalHosts: Buffer }

/** Builds the image with two committed transactions in its journal (see the file comment). */
function buildJournaled(variant: Variant, tree: string): Journaled {
  const slug = variant.name.replace(/\W+/g, '-');
  const image = join(dir, `${slug}.img`);
  sparseFile(image, IMAGE_BYTES);
  mkfsExt(variant.kind, image, 0, IMAGE_BYTES, { tree, ...(variant.features ? { features: variant.features } : {}),
    ...(variant.blockSize ? { blockSize: variant.blockSize } : {}) });
  const changed = join(dir, `${slug}-changed.img`);
  copyFileSync(image, changed);
  const magicFile = join(dir, 'magic.bin');
  writeFileSync(magicFile, Buffer.concat([JBD2_MAGIC, Buffer.from('a block that starts like a journal block\n'.repeat(200))]));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, 'name: changed in the journal\n');
  debugfs(changed, ['cd /var', `write ${magicFile} new-magic.bin`, 'cd /', 'mkdir srv', 'cd srv', 'mkdir made', 'rm /etc/hosts.link',
    'rm /etc/app/config.yaml', 'cd /etc/app', `write ${config} config.yaml`]);
  const before = readFileSync(image);
  const after = readFileSync(changed);
  const bs = blockSizeOf(before);
  const differing: number[] = [];
  for (let at = 0; at < before.length; at += bs) {
    if (!before.subarray(at, at + bs).equals(after.subarray(at, at + bs))) differing.push(at / bs);
  }
  const hostsBlock = Number(debugfs(image, ['bmap /etc/hosts 0'], false).trim().split('\n').pop());
  expect(hostsBlock).toBeGreaterThan(0);
  expect(differing).not.toContain(hostsBlock);
  const half = Math.ceil(differing.length / 2);
  const first = [...differing.slice(0, half), hostsBlock];
  const second = differing.slice(half);
  const blocksOf = (list: number[], junk: boolean): Buffer => Buffer.concat(list.map((block) => (junk && block === hostsBlock
    ? Buffer.alloc(bs, 'JUNK that a revoke cancels\n') : after.subarray(block * bs, (block + 1) * bs))));
  writeFileSync(join(dir, 't1.bin'), blocksOf(first, true));
  writeFileSync(join(dir, 't2.bin'), blocksOf(second, false));
  debugfs(image, [variant.journalOpen, `jw -b ${first.join(',')} ${join(dir, 't1.bin')}`,
    `jw -b ${second.join(',')} -r ${hostsBlock} ${join(dir, 't2.bin')}`, 'jc']);
  const layout = logLayout(image);
  expect(layout.get(`${layoutSequence(image)}:2`)).toHaveLength(1);
  expect(layout.get(`${layoutSequence(image) + 1}:2`)).toHaveLength(1);
  expect(run('dumpe2fs', ['-h', image])).toMatch(/needs_recovery/);
  return { image, blockSize: bs, hostsBlock, originalHosts: before.subarray(hostsBlock * bs, hostsBlock * bs + 38) };
}

function layoutSequence(image: string): number {
  return Number(/Journal starts at block \d+, transaction (\d+)/.exec(debugfs(image, ['logdump'], false))?.[1]);
}

/** A copy of `image` whose journal e2fsck replayed (-E journal_only: nothing else repaired), the reference. */
function replayedByE2fsck(image: string, name: string): string {
  const copy = join(dir, name);
  copyFileSync(image, copy);
  const result = spawnSync('e2fsck', ['-y', '-E', 'journal_only', copy], { encoding: 'utf8' });
  if (result.status !== 0 && result.status !== 1) throw new Error(`e2fsck -E journal_only ${copy}: ${result.stdout}${result.stderr}`);
  expect(run('dumpe2fs', ['-h', copy])).not.toMatch(/needs_recovery/);
  return copy;
}

/**
 * Blocks whose bytes differ between what the reader serves for `fs` and the image e2fsck
 * replayed, besides the superblock and the journal superblock (e2fsck rewrites both after a replay).
 */
async function differingBlocks(fs: GuestFilesystem, reference: string, image: string, bs: number): Promise<number[]> {
  const served = await (fs as ExtFilesystem).source.read(0, IMAGE_BYTES);
  const expected = readFileSync(reference);
  const skip = new Set([Math.floor(1024 / bs), journalPhysical(image, 0)]);
  const out: number[] = [];
  for (let block = 0; block * bs < IMAGE_BYTES; block += 1) {
    if (skip.has(block)) continue;
    if (!served.subarray(block * bs, (block + 1) * bs).equals(expected.subarray(block * bs, (block + 1) * bs))) out.push(block);
  }
  return out;
}

async function withFs<T>(image: string, work: (fs: GuestFilesystem) => Promise<T>): Promise<T> {
  const source = await fileSource(image);
  try {
    return await work(await openExtFilesystem(source));
  } finally {
    await source.close();
  }
}

async function unreplayed(image: string): Promise<TreeEntry[]> {
  const source = await fileSource(image);
  try {
    return await walkGuest(new ExtFilesystem(source, await readSuperblock(source), 'ext4'));
  } finally {
    await source.close();
  }
}

async function readAll(fs: GuestFilesystem, path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of fs.readFile(path)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function journalOf(fs: GuestFilesystem): ExtFilesystem['journal'] {
  return (fs as ExtFilesystem).journal;
}

describe.skipIf(!haveTools)('ext journal replayed in memory, against e2fsck', () => {
  const tree = join(dir, 'tree');
  writeKnownTree(tree, { manyFiles: 30 });
  const built = new Map<string, Journaled>();
  /** Each variant's image is built once, by whichever test asks first. */
  const journaledFor = (variant: Variant): Journaled => {
    let journaled = built.get(variant.name);
    if (journaled === undefined) {
      journaled = buildJournaled(variant, tree);
      built.set(variant.name, journaled);
    }
    return journaled;
  };

  for (const variant of VARIANTS) {
    it(`reads ${variant.name} with its two committed transactions as e2fsck replays them`, async () => {
      const journaled = journaledFor(variant);
      const replayed = replayedByE2fsck(journaled.image, `${variant.name.replace(/\W+/g, '-')}-e2fsck.img`);
      const reference = await withFs(replayed, async (fs) => {
        expect(journalOf(fs)).toBeUndefined();
        return walkGuest(fs);
      });
      expect(reference.map((entry) => entry.path)).toContain('/var/new-magic.bin');
      await withFs(journaled.image, async (fs) => {
        expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 2 });
        expect(await differingBlocks(fs, replayed, journaled.image, journaled.blockSize)).toEqual([]);
        expect(await walkGuest(fs)).toEqual(reference);
        expect((await readAll(fs, '/var/new-magic.bin')).subarray(0, 4)).toEqual(JBD2_MAGIC);
        expect((await readAll(fs, '/etc/app/config.yaml')).toString()).toBe('name: changed in the journal\n');
        // The junk copy in transaction 1 is revoked by transaction 2.
        expect((await readAll(fs, '/etc/hosts')).toString()).toBe('127.0.0.1 localhost\n::1 localhost\n');
        const findings = await fs.checkMetadata({ maxInodes: 2000 });
        expect(findings).toEqual([expect.objectContaining({ severity: 'note', kind: 'journal-replayed',
          message: expect.stringMatching(/replayed in memory: \d+ blocks from 2 transactions/) as unknown })]);
      });
      // Without the replay the reader sees the state before the transactions: the test can fail.
      const before = await unreplayed(journaled.image);
      expect(before).not.toEqual(reference);
      expect(before.map((entry) => entry.path)).not.toContain('/var/new-magic.bin');
    }, 60_000);
  }

  const damaged = (name: string, from: Journaled): string => {
    const copy = join(dir, `${name}.img`);
    copyFileSync(from.image, copy);
    return copy;
  };
  const patchLogBlock = (image: string, bs: number, logical: number, at: number, bytes: Buffer): void => {
    patchFile(image, journalPhysical(image, logical) * bs + at, bytes);
  };

  it('replays only the first transaction when the last one is torn (no commit block), as e2fsck does', async () => {
    const from = journaledFor(VARIANTS[2] as Variant);
    const image = damaged('torn', from);
    const sequence = layoutSequence(image);
    const commit = (logLayout(image).get(`${sequence + 1}:2`) as number[])[0] as number;
    patchLogBlock(image, from.blockSize, commit, 0, Buffer.alloc(from.blockSize));
    const replayed = replayedByE2fsck(image, 'torn-e2fsck.img');
    await withFs(image, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 1 });
      expect(await differingBlocks(fs, replayed, image, from.blockSize)).toEqual([]);
      // Transaction 2's revoke was not committed: the junk copy of transaction 1 stands, in both.
      expect((await readAll(fs, '/etc/hosts')).toString()).toMatch(/^JUNK/);
    });
  }, 60_000);

  it('stops at a sequence gap (the second descriptor names another transaction), as e2fsck does', async () => {
    const from = journaledFor(VARIANTS[3] as Variant);
    const image = damaged('gap', from);
    const sequence = layoutSequence(image);
    const descriptor = (logLayout(image).get(`${sequence + 1}:1`) as number[])[0] as number;
    const wrong = Buffer.alloc(4);
    wrong.writeUInt32BE(sequence + 7);
    patchLogBlock(image, from.blockSize, descriptor, 8, wrong);
    const replayed = replayedByE2fsck(image, 'gap-e2fsck.img');
    await withFs(image, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 1 });
      expect(await differingBlocks(fs, replayed, image, from.blockSize)).toEqual([]);
    });
  }, 60_000);

  it('stops before a csum v3 transaction whose commit or descriptor checksum fails (the commit one as e2fsck does)', async () => {
    const from = journaledFor(VARIANTS[0] as Variant);
    const sequence = layoutSequence(from.image);
    const layout = logLayout(from.image);
    const badCommit = damaged('bad-commit', from);
    patchLogBlock(badCommit, from.blockSize, (layout.get(`${sequence + 1}:2`) as number[])[0] as number, 60, Buffer.from('x'));
    const replayed = replayedByE2fsck(badCommit, 'bad-commit-e2fsck.img');
    await withFs(badCommit, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 1 });
      expect(await differingBlocks(fs, replayed, badCommit, from.blockSize)).toEqual([]);
    });
    const badDescriptor = damaged('bad-descriptor', from);
    patchLogBlock(badDescriptor, from.blockSize, (layout.get(`${sequence + 1}:1`) as number[])[0] as number, from.blockSize - 40, Buffer.from('x'));
    await withFs(badDescriptor, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 1 });
      expect((await readAll(fs, '/etc/hosts')).toString()).toMatch(/^JUNK/);
    });
  }, 60_000);

  it('skips a copy whose csum v3 tag checksum fails, and says so', async () => {
    const from = journaledFor(VARIANTS[0] as Variant);
    const image = damaged('bad-copy', from);
    const sequence = layoutSequence(image);
    const descriptor = (logLayout(image).get(`${sequence + 1}:1`) as number[])[0] as number;
    patchLogBlock(image, from.blockSize, descriptor + 1, 100, Buffer.from('flipped'));
    const replayed = replayedByE2fsck(image, 'bad-copy-e2fsck.img');
    await withFs(image, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 2 });
      expect(await differingBlocks(fs, replayed, image, from.blockSize)).toEqual([]);
      const findings = await fs.checkMetadata({ maxInodes: 50 });
      expect(findings).toContainEqual(expect.objectContaining({ kind: 'journal-bad-copies', message: expect.stringMatching(/^1 block copies/) as unknown }));
    });
  }, 60_000);

  it('a test restore in the guest worker verifies a point whose journal replays, with a note; a damaged journal gives warnings', async () => {
    const from = journaledFor(VARIANTS[0] as Variant);
    const badMagic = damaged('test-restore-bad-magic', from);
    patchLogBlock(badMagic, from.blockSize, 0, 0, Buffer.from('nope'));
    for (const [image, status, kind] of [[from.image, 'verified', 'journal-replayed'], [badMagic, 'warnings', 'journal-not-replayed']] as const) {
      const worker = new GuestWorker([{ name: 'disk', source: bufferSource(readFileSync(image)) }], { requestTimeoutMs: 30_000 });
      try {
        const outcome = await testRestorePoint({
          layout: () => worker.request({ op: 'layout' }),
          check: (chosen, maxInodes) => worker.request({ op: 'check', volume: chosen.key, maxInodes }),
        });
        expect(outcome.status).toBe(status);
        expect(outcome.volumes[0]?.findings).toEqual([expect.objectContaining({ kind })]);
        expect(outcome.reasons).toEqual([expect.stringMatching(/^Disk 0 \(ext4\): The journal/)]);
        expect((await worker.request({ op: 'list', volume: '0:disk', path: '/var' })).some((entry) => entry.name === 'new-magic.bin'))
          .toBe(status === 'verified');
      } finally {
        await worker.close();
      }
    }
  }, 60_000);

  it('follows a log that wraps around the end of the journal, as e2fsck does', async () => {
    const from = journaledFor(VARIANTS[2] as Variant);
    const image = damaged('wrapped', from);
    const bs = from.blockSize;
    const bytes = readFileSync(image);
    const jsbAt = journalPhysical(image, 0) * bs;
    const maxlen = bytes.readUInt32BE(jsbAt + 16);
    const first = bytes.readUInt32BE(jsbAt + 20);
    const start = bytes.readUInt32BE(jsbAt + 28);
    const sequence = layoutSequence(image);
    const end = ((logLayout(image).get(`${sequence + 1}:2`) as number[])[0] as number) + 1;
    // Move the log [start, end) so it begins 3 blocks before the journal's end and wraps to s_first.
    const moved = maxlen - 3;
    const log = Array.from({ length: end - start }, (_, i) => {
      const at = journalPhysical(image, start + i) * bs;
      return Buffer.from(bytes.subarray(at, at + bs));
    });
    for (let i = start; i < end; i += 1) patchFile(image, journalPhysical(image, i) * bs, Buffer.alloc(bs));
    log.forEach((block, i) => {
      const logical = moved + i < maxlen ? moved + i : first + (moved + i - maxlen);
      patchFile(image, journalPhysical(image, logical) * bs, block);
    });
    const newStart = Buffer.alloc(4);
    newStart.writeUInt32BE(moved);
    patchFile(image, jsbAt + 28, newStart);
    expect(debugfs(image, ['logdump'], false)).toMatch(new RegExp(`Journal starts at block ${moved}`));
    const replayed = replayedByE2fsck(image, 'wrapped-e2fsck.img');
    await withFs(image, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 2 });
      expect(await differingBlocks(fs, replayed, image, bs)).toEqual([]);
      expect(await walkGuest(fs)).toEqual(await withFs(from.image, (original) => walkGuest(original)));
    });
  }, 60_000);

  it('falls back to the unreplayed view with a finding when the journal superblock or a tag is damaged', async () => {
    const from = journaledFor(VARIANTS[2] as Variant);
    const badMagic = damaged('bad-magic', from);
    patchLogBlock(badMagic, from.blockSize, 0, 0, Buffer.from('nope'));
    const outside = damaged('outside', from);
    const sequence = layoutSequence(outside);
    const descriptor = (logLayout(outside).get(`${sequence}:1`) as number[])[0] as number;
    patchLogBlock(outside, from.blockSize, descriptor, 12, Buffer.from([0x7f, 0xff, 0xff, 0x00]));
    for (const [image, reason] of [[badMagic, /no JBD2 magic/], [outside, /outside the filesystem/]] as const) {
      await withFs(image, async (fs) => {
        expect(journalOf(fs)).toMatchObject({ status: 'not-replayed', reason: expect.stringMatching(reason) as unknown });
        expect(await walkGuest(fs)).toEqual(await unreplayed(image));
        const findings = await fs.checkMetadata({ maxInodes: 2000 });
        expect(findings).toEqual([expect.objectContaining({ severity: 'warning', kind: 'journal-not-replayed' })]);
      });
    }
  }, 60_000);

  it('checks v1 journal checksums (crc32_be over each transaction\'s descriptor and data blocks) as e2fsck does', async () => {
    const from = journaledFor(VARIANTS[2] as Variant);
    const bs = from.blockSize;
    const sequence = layoutSequence(from.image);
    const layout = logLayout(from.image);
    const image = damaged('v1-checksums', from);
    const jsbAt = journalPhysical(image, 0) * bs;
    const compat = Buffer.alloc(4);
    compat.writeUInt32BE(readFileSync(image).readUInt32BE(jsbAt + 36) | 0x1);
    patchFile(image, jsbAt + 36, compat);
    // debugfs writes v1 checksums over revoke blocks too; jbd2 sums descriptors and their data only.
    const sign = (target: string): void => {
      const bytes = readFileSync(target);
      for (const seq of [sequence, sequence + 1]) {
        const descriptor = (layout.get(`${seq}:1`) as number[])[0] as number;
        const commit = (layout.get(`${seq}:2`) as number[])[0] as number;
        const revokes = new Set(layout.get(`${seq}:5`) ?? []);
        let sum = 0xffffffff;
        for (let logical = descriptor; logical < commit; logical += 1) {
          if (revokes.has(logical)) continue;
          const at = journalPhysical(target, logical) * bs;
          sum = crc32Be(sum, bytes.subarray(at, at + bs));
        }
        const header = Buffer.alloc(8);
        header.writeUInt8(1, 0);
        header.writeUInt8(4, 1);
        header.writeUInt32BE(sum, 4);
        patchFile(target, journalPhysical(target, commit) * bs + 12, header);
      }
    };
    sign(image);
    const replayed = replayedByE2fsck(image, 'v1-e2fsck.img');
    await withFs(image, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 2 });
      expect(await differingBlocks(fs, replayed, image, bs)).toEqual([]);
    });
    // A data block of transaction 2 changed after its commit was summed: transaction 2 is not replayed.
    const descriptor = (layout.get(`${sequence + 1}:1`) as number[])[0] as number;
    patchLogBlock(image, bs, descriptor + 1, 200, Buffer.from('changed'));
    const replayedBad = replayedByE2fsck(image, 'v1-bad-e2fsck.img');
    await withFs(image, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 1 });
      expect(await differingBlocks(fs, replayedBad, image, bs)).toEqual([]);
    });
  }, 60_000);

  it('names what it does not replay: an external journal device (read as the disk has it), fast-commit blocks', async () => {
    const from = journaledFor(VARIANTS[2] as Variant);
    // An internal journal's superblock fields turned into an external one's: no journal inode, a device number.
    const external = damaged('external', from);
    const fields = Buffer.alloc(8);
    fields.writeUInt32LE(0x0801, 4);
    patchFile(external, 1024 + 224, fields);
    await withFs(external, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'not-replayed', reason: expect.stringMatching(/external device/) as unknown });
      expect(await walkGuest(fs)).toEqual(await unreplayed(external));
      expect(await fs.checkMetadata({ maxInodes: 100 })).toEqual([expect.objectContaining({ severity: 'warning', kind: 'journal-not-replayed' })]);
    });
    const fastCommit = damaged('fast-commit', from);
    const jsbAt = journalPhysical(fastCommit, 0) * from.blockSize;
    const incompat = readFileSync(fastCommit).readUInt32BE(jsbAt + 40);
    const flags = Buffer.alloc(4);
    flags.writeUInt32BE(incompat | 0x20);
    patchFile(fastCommit, jsbAt + 40, flags);
    await withFs(fastCommit, async (fs) => {
      expect(journalOf(fs)).toMatchObject({ status: 'replayed', transactions: 2, fastCommit: true });
      const kinds = (await fs.checkMetadata({ maxInodes: 100 })).map((finding) => `${finding.severity} ${finding.kind}`);
      expect(kinds).toEqual(['warning journal-fast-commit', 'note journal-replayed']);
    });
  }, 60_000);

  it(`reads ${MUTATIONS} images with a mutated journal area correctly or ends each in a typed error`, async () => {
    const from = journaledFor(VARIANTS[3] as Variant);
    const image = readFileSync(from.image);
    const bs = from.blockSize;
    const sequence = layoutSequence(from.image);
    const lastCommit = (logLayout(from.image).get(`${sequence + 1}:2`) as number[])[0] as number;
    const offsets = Array.from({ length: lastCommit + 2 }, (_, logical) => journalPhysical(from.image, logical) * bs);
    const next = random(1414);
    const outcomes = new Map<string, number>();
    for (let n = 0; n < MUTATIONS; n += 1) {
      const block = offsets[Math.floor(next() * offsets.length)] as number;
      const saved = Buffer.from(image.subarray(block, block + bs));
      const count = 1 + Math.floor(next() * 6);
      // Header and tag bytes are where a journal is parsed: bias toward the first 64 bytes.
      for (let i = 0; i < count; i += 1) image[block + Math.floor(next() * (next() < 0.7 ? 64 : bs))] = Math.floor(next() * 256);
      const outcome = await expectTypedOrFine(async () => {
        const fs = await openExtFilesystem(bufferSource(image));
        outcomes.set(journalOf(fs)?.status ?? 'none', (outcomes.get(journalOf(fs)?.status ?? 'none') ?? 0) + 1);
        await walk(fs);
      }, `journal mutation ${n}`);
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      saved.copy(image, block);
    }
    expect(outcomes.get('replayed') ?? 0).toBeGreaterThan(0);
    expect((outcomes.get('not-replayed') ?? 0) + (outcomes.get('empty') ?? 0)).toBeGreaterThan(0);
  }, 120_000);
});
