/**
 * Restore safety (issue 10): a manifest is untrusted input. Each case edits a real plain
 * vault's manifest the way an attacker would (it is 0444 in the vault; decode the blob,
 * change the JSON, write it back), then runs `labvault restore disks`: a crafted file name
 * is CORRUPT naming the manifest and nothing is written outside (or inside) the target; a
 * symlinked subfolder or a planted symlink is never followed and its target is untouched;
 * a stored mode comes out masked (no setuid, no execute, nothing the umask withholds).
 * The store-level and name checks are also exercised directly, below the CLI's pre-checks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import type { Job, Point } from '../../../shared/contract/item-models.ts';
import {
  BLOB_CODEC_OFFSET, BLOB_HEADER_SIZE, BLOB_PLAIN_LENGTH_OFFSET, CODEC_NONE, CODEC_ZSTD, FLAG_ENCRYPTED, BLOB_FLAGS_OFFSET,
} from '../../../electron/engine/vault/store/format-constants.ts';
import { restoredFileMode, restoreNameProblem, targetPathIn } from '../../../electron/engine/restore/restore-target.ts';
import type { Manifest } from '../../../electron/engine/vault/store/index.ts';
import { LabvaultError } from '../../../shared/errors.ts';
import { Lab, MIB, expectSameFile, writeRandomFile } from '../vault-engine/vault-engine-kit.ts';
import { makeVault } from '../../unit/vault-store/store-test-kit.ts';

let lab: Lab;
let vaultDir: string;
let disk: string;
let point: Point;
let original: Buffer;
let cases = 0;

function manifestPath(): string {
  return join(vaultDir, 'data', 'manifests', point.itemId, point.id);
}

/** Decodes a plain manifest blob as an attacker would (header, then zstd or raw JSON). */
function decodePlainManifest(bytes: Buffer): Manifest {
  expect(bytes.readUInt8(BLOB_FLAGS_OFFSET) & FLAG_ENCRYPTED).toBe(0);
  const payload = bytes.subarray(BLOB_HEADER_SIZE);
  const codec = bytes.readUInt8(BLOB_CODEC_OFFSET);
  const json = codec === CODEC_ZSTD ? zstdDecompressSync(payload) : payload;
  return JSON.parse(json.toString('utf8')) as Manifest;
}

/** Rewrites the point's manifest with `edit` applied (stored uncompressed, same header otherwise). */
function craftManifest(edit: (manifest: Manifest) => void): void {
  const manifest = decodePlainManifest(original);
  edit(manifest);
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const header = Buffer.from(original.subarray(0, BLOB_HEADER_SIZE));
  header.writeUInt8(CODEC_NONE, BLOB_CODEC_OFFSET);
  header.writeUInt32LE(json.length, BLOB_PLAIN_LENGTH_OFFSET);
  chmodSync(manifestPath(), 0o644);
  writeFileSync(manifestPath(), Buffer.concat([header, json]));
  chmodSync(manifestPath(), 0o444);
}

function restoreOriginalManifest(): void {
  chmodSync(manifestPath(), 0o644);
  writeFileSync(manifestPath(), original);
  chmodSync(manifestPath(), 0o444);
}

/** Every path under `dir` (files, folders, links) with size and mode: what must not change. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => !path.startsWith(lab.home))
    .map((path) => {
      const info = lstatSync(path);
      return `${path} ${info.isSymbolicLink() ? 'link' : info.isDirectory() ? 'dir' : `${info.size}`} ${info.mode.toString(8)}`;
    })
    .sort();
}

/** A fresh target folder two levels down, so '../..' from it still lands inside the lab. */
function newTarget(): string {
  cases += 1;
  const target = join(lab.dir, `case-${cases}`, 'deeper', 'target');
  mkdirSync(target, { recursive: true });
  return target;
}

function restore(target: string) {
  return lab.cli(['restore', 'disks', 'vm', '--point', point.id, '--to', target, '--json']);
}

/** The mode a new file gets here: 0o666 less this process's umask (probed, not read). */
function umaskedFileMode(): number {
  const probe = join(lab.dir, 'umask-probe');
  writeFileSync(probe, '', { mode: 0o666 });
  const mode = statSync(probe).mode & 0o7777;
  rmSync(probe);
  return mode;
}

beforeAll(async () => {
  lab = new Lab('restore-safety');
  vaultDir = await lab.createVault('plain');
  disk = join(lab.vmDir, 'disk.img');
  await writeRandomFile(disk, 2 * MIB);
  await lab.protect('plain', 'vm', [disk]);
  await lab.backup('vm');
  [point] = (await lab.points('vm')) as [Point];
  original = readFileSync(manifestPath());
}, 120_000);

afterAll(() => {
  lab?.remove();
});

describe('restore of a crafted manifest', () => {
  it.each(['..\\..\\x', '../x', '../../x', 'a/b', '.', '..', '/tmp/x', 'x\\y'])('refuses the file name %j as CORRUPT and writes nothing', async (name) => {
    craftManifest((manifest) => {
      (manifest.files[0] as { path: string }).path = name;
    });
    try {
      const target = newTarget();
      const before = tree(lab.dir);
      const result = await restore(target);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout + result.stderr).toMatch(/CORRUPT/);
      expect(result.stdout + result.stderr).toContain(point.id);
      expect(tree(lab.dir)).toEqual(before);
      expect(readdirSync(target)).toEqual([]);
      expect(existsSync(join(lab.dir, 'x'))).toBe(false);
    } finally {
      restoreOriginalManifest();
    }
  });

  it('refuses a name that reaches through a symlinked subfolder of the target', async () => {
    const outside = join(lab.dir, `outside-${cases}`);
    mkdirSync(outside);
    const target = newTarget();
    symlinkSync(outside, join(target, 'sub'));
    craftManifest((manifest) => {
      (manifest.files[0] as { path: string }).path = 'sub/disk.img';
    });
    try {
      const result = await restore(target);
      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout + result.stderr).toMatch(/CORRUPT/);
      expect(readdirSync(outside)).toEqual([]);
      expect(readdirSync(target)).toEqual(['sub']);
    } finally {
      restoreOriginalManifest();
    }
  });

  it('never follows or replaces a symlink planted with the file\'s name', async () => {
    const victim = join(lab.dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const target = newTarget();
    symlinkSync(victim, join(target, 'disk.img'));
    const dangling = newTarget();
    const wouldBeCreated = join(lab.dir, 'created-through-link');
    symlinkSync(wouldBeCreated, join(dangling, 'disk.img'));

    for (const folder of [target, dangling]) {
      const result = await restore(folder);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout + result.stderr).toMatch(/CONFLICT/);
      expect(lstatSync(join(folder, 'disk.img')).isSymbolicLink()).toBe(true);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(readlinkSync(join(target, 'disk.img'))).toBe(victim);
    expect(existsSync(wouldBeCreated)).toBe(false);
  });

  it.each([['777', 0o777], ['4755', 0o4755], ['6777', 0o6777]])('masks a stored mode %s: no setuid, no execute, nothing the umask withholds', async (_octal, mode) => {
    const mtimeMs = Date.parse('2021-03-04T05:06:07.000Z');
    craftManifest((manifest) => {
      Object.assign(manifest.files[0] as object, { mode: 0o100000 | mode, mtimeMs });
    });
    try {
      const target = newTarget();
      const result = await restore(target);
      expect(result.code, result.stderr).toBe(0);
      expect(result.json<Job>().status).toBe('completed');
      const restored = join(target, 'disk.img');
      await expectSameFile(restored, disk);
      const info = statSync(restored);
      expect(info.mode & 0o7777).toBe(umaskedFileMode() & mode);
      expect(info.mode & 0o7111).toBe(0);
      expect(info.mtimeMs).toBe(mtimeMs);
    } finally {
      restoreOriginalManifest();
    }
  });

  it('restores the untouched manifest normally (the checks pass real names)', async () => {
    const target = newTarget();
    const result = await restore(target);
    expect(result.code, result.stderr).toBe(0);
    await expectSameFile(join(target, 'disk.img'), disk);
  });
});

describe('restore target checks, below the CLI', () => {
  it('accepts what a backup writes and refuses every other name, on every platform', () => {
    for (const good of ['disk.img', '1-disk.qcow2', 'My VM_2 -x.vmdk', 'nvram']) expect(restoreNameProblem(good)).toBeNull();
    for (const bad of ['', '.', '..', '.hidden', 'a/b', '..\\..\\x', 'a\\b', 'x\0y', 'é.img', 'a:b', 'x'.repeat(256), 42]) {
      expect(restoreNameProblem(bad), JSON.stringify(bad)).not.toBeNull();
      expect(restoreNameProblem(bad, 'win32'), JSON.stringify(bad)).not.toBeNull();
    }
    for (const windowsOnly of ['CON', 'nul.img', 'com1', 'disk.img.', 'disk ']) {
      expect(restoreNameProblem(windowsOnly, 'linux')).toBeNull();
      expect(restoreNameProblem(windowsOnly, 'win32')).not.toBeNull();
    }
  });

  it('resolves a target path only as a direct child of the target folder', () => {
    const root = join(lab.dir, 'root');
    expect(targetPathIn(root, 'disk.img', 'm')).toBe(join(root, 'disk.img'));
    for (const bad of ['../x', '..', 'a/b', '..\\x']) {
      const error = (() => {
        try {
          targetPathIn(root, bad, 'data/manifests/i/p');
          return null;
        } catch (caught) {
          return caught;
        }
      })();
      expect(error).toBeInstanceOf(LabvaultError);
      expect((error as LabvaultError).code).toBe('CORRUPT');
      expect((error as LabvaultError).message).toContain('data/manifests/i/p');
    }
  });

  it('masks modes to rw-rw-rw- less the umask', () => {
    expect(restoredFileMode(0o100777, 0o022)).toBe(0o644);
    expect(restoredFileMode(0o104755, 0o002)).toBe(0o644);
    expect(restoredFileMode(0o100666, 0o002)).toBe(0o664);
    expect(restoredFileMode(0o6777, 0o077)).toBe(0o600);
    expect(restoredFileMode(0o400, 0o022)).toBe(0o400);
  });

  it('the store never writes through a planted symlink (O_EXCL, O_NOFOLLOW) even without the pre-check', async () => {
    const vault = await makeVault();
    try {
      const source = join(vault.dir, 'source.img');
      await writeRandomFile(source, 256 * 1024);
      const writer = await vault.store.beginWrite('test');
      const backed = await vault.store.backupFile({ sourcePath: source }).finally(() => writer.release());
      const index = await vault.store.readIndex(backed.indexId);
      const victim = join(vault.dir, 'victim');
      writeFileSync(victim, 'precious');
      const link = join(vault.dir, 'out.img');
      symlinkSync(victim, link);
      const dangling = join(vault.dir, 'dangling.img');
      symlinkSync(join(vault.dir, 'never-created'), dangling);
      for (const outPath of [link, dangling]) {
        const error = await vault.store.restoreFile({ index, outPath }).then(() => null, (caught: unknown) => caught);
        expect(error).toBeInstanceOf(LabvaultError);
        expect((error as LabvaultError).code).toBe('CONFLICT');
        expect(lstatSync(outPath).isSymbolicLink()).toBe(true);
      }
      expect(readFileSync(victim, 'utf8')).toBe('precious');
      expect(existsSync(join(vault.dir, 'never-created'))).toBe(false);

      const out = join(vault.dir, 'restored.img');
      const mtime = new Date('2020-01-02T03:04:05.000Z');
      await vault.store.restoreFile({ index, outPath: out, expectedDigest: backed.indexId, attributes: { mode: 0o640, mtime } });
      expect(statSync(out).mode & 0o7777).toBe(0o640);
      expect(statSync(out).mtimeMs).toBe(mtime.getTime());
      expect(readFileSync(out).equals(readFileSync(source))).toBe(true);
    } finally {
      await vault.store.close();
      vault.cleanup();
    }
  });
});
