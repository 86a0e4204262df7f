/**
 * A vault folder is untrusted input (issue 10, reading vault files). Each test builds a
 * crafted vault from a real one (made and backed up through the CLI), editing its files as
 * an attacker would, then runs the normal commands through the CLI in a fresh app home:
 * every command ends (a per-command timeout kills it and fails the test) with a clear
 * CORRUPT error naming the file, never a hang or an allocation the file asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zstdDecompressSync } from 'node:zlib';
import { INDEX_BLOB_MAGIC, MANIFEST_BLOB_MAGIC } from '../../../electron/engine/vault/store/format-constants.ts';
import { runCli, type CliResult } from '../../support/cli-runner.ts';
import { Lab, MIB, writeRandomFile } from '../vault-engine/vault-engine-kit.ts';

/** A command that runs longer than this hangs: the test fails (it never counts as a pass). */
const COMMAND_TIMEOUT_MS = 60_000;
const PASSPHRASE = 'attack test passphrase';

let lab: Lab;
let plainVault: string;
let encryptedVault: string;
let pointId: string;
let attack = 0;

beforeAll(async () => {
  lab = new Lab('untrusted');
  const disk = join(lab.vmDir, 'vm1.img');
  await writeRandomFile(disk, 3 * MIB);
  plainVault = await lab.createVault('origin');
  await lab.protect('origin', 'vm1', [disk]);
  await lab.backup('vm1');
  pointId = (await lab.points('vm1'))[0]!.id;
  encryptedVault = join(lab.dir, 'vault-sealed');
  const created = await lab.cli(['vault', 'create', '--name', 'sealed', '--path', encryptedVault, '--encrypt', '--json'], { env: { LABVAULT_PASSPHRASE: PASSPHRASE } });
  expect(created.code, created.stderr).toBe(0);
}, 180_000);

afterAll(() => lab?.remove());

interface Crafted {
  dir: string;
  home: string;
  run(args: string[]): Promise<CliResult>;
}

/** Copies a real vault to a new folder (to be edited) with its own fresh app home. */
function craft(from: string): Crafted {
  attack += 1;
  const dir = join(lab.dir, `crafted-${attack}`);
  const home = join(lab.dir, `home-${attack}`);
  cpSync(from, dir, { recursive: true });
  rmSync(join(dir, 'catalog.sqlite'), { force: true });
  return {
    dir,
    home,
    run: async (args) => {
      const result = await runCli(home, args, { timeoutMs: COMMAND_TIMEOUT_MS, env: { LABVAULT_PASSPHRASE: PASSPHRASE } });
      expect(result.signal, `labvault ${args.join(' ')} did not end within ${COMMAND_TIMEOUT_MS} ms (hang)`).toBeNull();
      return result;
    },
  };
}

function onlyFile(dir: string): string {
  const names = readdirSync(dir).filter((name) => !name.startsWith('.'));
  expect(names).toHaveLength(1);
  return join(dir, names[0]!);
}

function itemRecord(vault: string): string {
  return onlyFile(join(vault, 'data', 'records', 'items'));
}

function manifestPath(vault: string): string {
  return onlyFile(onlyFile(join(vault, 'data', 'manifests')));
}

/** Replaces a committed (read-only) vault file, as an attacker with write access would. */
function replaceFile(path: string, data: Buffer): void {
  unlinkSync(path);
  writeFileSync(path, data);
}

function expectCorrupt(result: CliResult, ...mentions: Array<string | RegExp>): void {
  expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(3);
  expect(result.stderr).toMatch(/CORRUPT/);
  for (const mention of mentions) expect(result.stderr).toMatch(mention);
}

/** A plain blob: header (magic, version 1, codec none, no flags, plain length) then the payload. */
function plainBlob(magic: Buffer, payload: Buffer, declaredLength = payload.length): Buffer {
  const header = Buffer.alloc(16);
  magic.copy(header, 0);
  header.writeUInt8(1, 8);
  header.writeUInt32LE(declaredLength, 12);
  return Buffer.concat([header, payload]);
}

/** The JSON inside a plain manifest blob (codec none or zstd). */
function readPlainManifest(path: string): Record<string, unknown> & { files: Array<Record<string, unknown>> } {
  const bytes = readFileSync(path);
  const payload = bytes.subarray(16);
  const plain = bytes.readUInt8(9) === 1 ? zstdDecompressSync(payload) : payload;
  return JSON.parse(plain.toString('utf8')) as Record<string, unknown> & { files: Array<Record<string, unknown>> };
}

describe('crafted vault folders', () => {
  it('a FIFO in place of a record: open is CORRUPT at once, and vault list afterwards does not hang', async () => {
    const vault = craft(plainVault);
    const record = itemRecord(vault.dir);
    unlinkSync(record);
    execFileSync('mkfifo', [record]);

    const opened = await vault.run(['vault', 'open', vault.dir]);
    expectCorrupt(opened, new RegExp(record.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), /FIFO/);

    const listed = await vault.run(['vault', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const vaults = listed.json<Array<{ name: string; status: string; statusMessage?: string }>>();
    expect(vaults).toHaveLength(1);
    expect(vaults[0]!.status).toBe('missing');
    expect(vaults[0]!.statusMessage).toContain(record);
  });

  it('a 5 GB sparse record is refused by its size, without reading it', async () => {
    const vault = craft(plainVault);
    const record = itemRecord(vault.dir);
    truncateSync(record, 5 * 1024 * MIB);
    const opened = await vault.run(['vault', 'open', vault.dir]);
    expectCorrupt(opened, /5368709120 bytes/, /limit/);
    expect(opened.stderr).toContain(record);
  });

  it('a symlink to /dev/zero in place of a manifest: verify names it, prune and restore end', async () => {
    const vault = craft(plainVault);
    const manifest = manifestPath(vault.dir);
    unlinkSync(manifest);
    symlinkSync('/dev/zero', manifest);
    const opened = await vault.run(['vault', 'open', vault.dir, '--json']);
    expect(opened.code, opened.stderr).toBe(0);

    const verified = await vault.run(['verify', 'origin', '--json']);
    expect(verified.code, verified.stderr).toBe(3);
    expect(verified.stdout).toMatch(/symbolic link/);
    expect(verified.stdout).toContain(pointId);

    const pruned = await vault.run(['prune', '--vault', 'origin', '--json']);
    expect([0, 3]).toContain(pruned.code);
    const restored = await vault.run(['restore', 'disks', 'vm1', '--point', pointId, '--to', join(vault.home, 'out'), '--json']);
    expect(restored.code).not.toBe(0);
    expect(existsSync(join(vault.home, 'out', 'vm1.img'))).toBe(false);
  });

  it('a chunk whose header declares 4 GiB of plaintext: CORRUPT naming the chunk, nothing allocated', async () => {
    const vault = craft(plainVault);
    const chunksDir = join(vault.dir, 'data', 'chunks');
    const prefix = readdirSync(chunksDir)[0]!;
    const chunk = join(chunksDir, prefix, readdirSync(join(chunksDir, prefix))[0]!);
    const bytes = readFileSync(chunk);
    bytes.writeUInt32LE(0xffffffff, 12);
    replaceFile(chunk, bytes);
    expect((await vault.run(['vault', 'open', vault.dir])).code).toBe(0);

    const verified = await vault.run(['verify', 'origin', '--read-data', '--json']);
    expect(verified.code, verified.stderr).toBe(3);
    expect(verified.stdout).toMatch(/declares 4294967295 bytes/);
    const restored = await vault.run(['restore', 'disks', 'vm1', '--point', pointId, '--to', join(vault.home, 'out'), '--json']);
    expect(restored.code).toBe(3);
    expect(`${restored.stdout}${restored.stderr}`).toContain(chunk.split('/').pop()!);
  });

  it('an index with a huge chunk size (renamed to its own digest, manifest pointed at it): restore refuses it', async () => {
    const vault = craft(plainVault);
    const path = manifestPath(vault.dir);
    const manifest = readPlainManifest(path);
    const file = manifest.files[0]!;
    // One 2 GiB "chunk" covering the file: buffers sized by it would be 2 GiB per restore lane.
    const plain = Buffer.alloc(24 + 32);
    plain.writeUInt32LE(0x80000000, 0);
    plain.writeBigUInt64LE(BigInt(file.size as number), 8);
    plain.writeBigUInt64LE(1n, 16);
    plain.fill(7, 24);
    const indexId = createHash('sha256').update(plain).digest('hex');
    mkdirSync(join(vault.dir, 'data', 'indexes', indexId.slice(0, 2)), { recursive: true });
    writeFileSync(join(vault.dir, 'data', 'indexes', indexId.slice(0, 2), indexId), plainBlob(INDEX_BLOB_MAGIC, plain));
    const crafted = { ...manifest, files: [{ ...file, indexId, digest: indexId }] };
    replaceFile(path, plainBlob(MANIFEST_BLOB_MAGIC, Buffer.from(JSON.stringify(crafted))));
    expect((await vault.run(['vault', 'open', vault.dir])).code).toBe(0);

    const restored = await vault.run(['restore', 'disks', 'vm1', '--point', pointId, '--to', join(vault.home, 'out'), '--json']);
    expect(restored.code, restored.stderr).toBe(3);
    expect(`${restored.stdout}${restored.stderr}`).toMatch(/chunk size 2147483648 differs from the vault's 1048576/);
    const verified = await vault.run(['verify', 'origin', '--json']);
    expect(verified.code).toBe(3);
    expect(verified.stdout).toContain(indexId);
  });

  it('scrypt N = 2^40 in vault.json: open refuses the vault before deriving any key', async () => {
    const vault = craft(encryptedVault);
    const configPath = join(vault.dir, 'vault.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { store: { encryption: { n: number } } };
    config.store.encryption.n = 2 ** 40;
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const opened = await vault.run(['vault', 'open', vault.dir]);
    expectCorrupt(opened, /vault\.json/, /scrypt n must be a power of two from 1024 to 1048576/);
    const listed = await vault.run(['vault', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.json<unknown[]>()).toEqual([]);
  });
});
