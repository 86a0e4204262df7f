/**
 * Test-time VM fixtures: disk images made with qemu-img (and VDI differencing children made
 * from qemu-img VDIs by setting the header fields VirtualBox sets, since qemu-img cannot
 * create them), a content hash of a whole fixture tree (discovery must never write), and
 * stand-ins for the hypervisor CLIs: VBoxManage, vmrun and virsh are not installable on
 * this machine, so each stand-in is a small shell script on PATH that prints an output
 * recorded from the real tool.
 */
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { formatVdiUuid } from '../../../electron/engine/disk/vdi/vdi-header.ts';
import { qemuImg } from '../../support/disk-fixtures.ts';

export { makeTempDir, removeDir, qemuImg, requireQemuImg } from '../../support/disk-fixtures.ts';

const MIB = 1024 * 1024;

export function writeText(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/**
 * A new image of `format` and `sizeMiB`, optionally over `backing` (qemu-img create -b -F);
 * `unsafe` records a backing path that is not there (an absolute path of another machine).
 */
export function createImage(
  path: string, format: string, sizeMiB: number, backing?: { path: string; format: string; unsafe?: boolean },
): string {
  mkdirSync(dirname(path), { recursive: true });
  const args = ['create', '-q', '-f', format];
  if (backing?.unsafe) args.push('-u');
  if (backing) args.push('-b', backing.path, '-F', backing.format);
  args.push(path);
  if (!backing || backing.unsafe) args.push(`${sizeMiB}M`);
  qemuImg(args);
  return path;
}

/** The uuidImage of a VDI as VirtualBox writes it in a .vbox (without braces). */
export function vdiUuid(path: string): string {
  return formatVdiUuid(readFileSync(path).subarray(0x188, 0x198));
}

/** A differencing VDI child of `parent` (what VirtualBox makes when a snapshot is taken). */
export function createDifferencingVdi(parent: string, child: string): string {
  const size = Number((readFileSync(parent).readBigUInt64LE(0x170) / BigInt(MIB)));
  createImage(child, 'vdi', size);
  const head = readFileSync(parent).subarray(0, 512);
  const image = readFileSync(child);
  image.writeUInt32LE(4, 0x4c);
  head.copy(image, 0x1a8, 0x188, 0x198);
  head.copy(image, 0x1b8, 0x198, 0x1a8);
  writeFileSync(child, image);
  return child;
}

/** sha256 over every file's relative path, size, mtime and content under `dir`. */
export function hashTree(dir: string): string {
  const hash = createHash('sha256');
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const stats = statSync(path);
      if (stats.isDirectory()) { walk(path); continue; }
      hash.update(`${relative(dir, path)}\0${stats.size}\0${stats.mtimeMs}\0`);
      hash.update(readFileSync(path));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/**
 * A stand-in for a hypervisor CLI: a shell script named `name` in `binDir` that prints the
 * recorded output for the first matching argument pattern (a case glob over "$*"), else
 * exits 1. Each call is appended to `binDir/calls.log` so tests can check what was asked.
 */
export function writeStandInTool(binDir: string, name: string, answers: { args: string; stdout: string; exit?: number }[]): string {
  const cases = answers.map((answer) => `  ${answer.args.replace(/[ {}()|;&<>"'$]/g, '\\$&')})\n    cat <<'RECORDED'\n${answer.stdout}\nRECORDED\n    exit ${answer.exit ?? 0}\n    ;;`);
  const script = `#!/bin/sh\nPATH=/usr/bin:/bin\necho "${name} $*" >> "${join(binDir, 'calls.log')}"\ncase "$*" in\n${cases.join('\n')}\n  *)\n    echo "stand-in ${name}: no recorded answer for: $*" >&2\n    exit 1\n    ;;\nesac\n`;
  const path = writeText(join(binDir, name), script);
  chmodSync(path, 0o755);
  return path;
}
