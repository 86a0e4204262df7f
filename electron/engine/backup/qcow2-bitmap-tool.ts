/**
 * Adds and removes Labvault's persistent dirty bitmaps in a qcow2 image with qemu-img
 * (`qemu-img bitmap --add --enable` / `--remove`). qemu-img opens the image read-write and
 * takes QEMU's image lock, so it refuses an image a running VM (or any other QEMU
 * process) holds: a bitmap is only ever added to an image nobody is writing. Each call
 * answers null on success or the reason it did not happen; it never throws.
 */
import { open } from 'node:fs/promises';
import { findExecutable, runTool, tail } from '../consistency/hypervisor-tool.ts';

const TIMEOUT_MS = 120_000;
const QCOW2_MAGIC = 0x514649fb;

/** Bitmap names Labvault adds: one per point. */
export function pointBitmapName(pointId: string): string {
  return `labvault-${pointId}`;
}

/** Whether the file starts with the qcow2 magic (a regular file, read without following the VM's config). */
export async function looksLikeQcow2(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(4);
      const { bytesRead } = await handle.read(head, 0, 4, 0);
      return bytesRead === 4 && head.readUInt32BE(0) === QCOW2_MAGIC && (await handle.stat()).isFile();
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}

async function qemuImgBitmap(args: string[], env: NodeJS.ProcessEnv): Promise<string | null> {
  const tool = await findExecutable('qemu-img', env);
  if (tool === null) return 'qemu-img is not installed';
  try {
    const result = await runTool(tool, ['bitmap', ...args], env, TIMEOUT_MS);
    return result.exitCode === 0 ? null : `qemu-img bitmap failed (${tail(result.stderr, 300) || `exit ${result.exitCode}`})`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Adds an enabled persistent bitmap (granularity: the image's cluster size, qemu's default). */
export function addBitmap(path: string, name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return qemuImgBitmap(['--add', '--enable', '-f', 'qcow2', '--', path, name], env);
}

export function removeBitmap(path: string, name: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return qemuImgBitmap(['--remove', '-f', 'qcow2', '--', path, name], env);
}
