/**
 * Clones a file (reflink: COPYFILE_FICLONE_FORCE, never a copy) to a new path.
 *
 * btrfs clones only between files alike in copy-on-write: a file marked no-copy-on-write
 * (chattr +C: libvirt marks its storage folders so on btrfs, and `qemu-img create -o
 * nocow=on` marks the disk) is refused (EINVAL) towards an ordinary file. Then, on Linux,
 * the clone is made into a new empty file given that attribute first (`chattr +C`,
 * e2fsprogs; an empty file only takes it before it holds data). The clone still shares the
 * source's blocks, and btrfs writes a block that more than one file references to a new
 * place even without copy-on-write, so the clone stays the copy of its instant and the
 * shared-extent evidence (shared-extent-ranges.ts) holds as for any clone. Where that fails
 * too, the first error is thrown (the caller's errno handling is unchanged).
 */
import { execFile } from 'node:child_process';
import { copyFile, constants, lstat, open, rm } from 'node:fs/promises';

const CHATTR_TIMEOUT_MS = 10_000;

function chattrNoCow(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('chattr', ['+C', path], { timeout: CHATTR_TIMEOUT_MS, env: { ...process.env, LC_ALL: 'C' } }, (error) => resolve(!error));
  });
}

/** Clones `source` to `target`, which must not exist (it is in a folder the caller just made). */
export async function cloneFile(source: string, target: string): Promise<void> {
  try {
    await copyFile(source, target, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL' || process.platform !== 'linux') throw error;
    if (!(await cloneIntoNoCowFile(source, target))) throw error;
  }
}

/** The clone into a new no-copy-on-write file; false (nothing left behind) when it cannot be made. */
async function cloneIntoNoCowFile(source: string, target: string): Promise<boolean> {
  let created: bigint;
  try {
    const handle = await open(target, 'wx', 0o600);
    try {
      created = (await handle.stat({ bigint: true })).ino;
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
  try {
    if (!(await chattrNoCow(target))) throw new Error('chattr +C failed');
    // The file created above (exclusively, in the caller's new folder) is the one cloned into.
    if ((await lstat(target, { bigint: true })).ino !== created) throw new Error('the new file was replaced');
    await copyFile(source, target, constants.COPYFILE_FICLONE_FORCE);
    const after = await lstat(target, { bigint: true });
    if (!after.isFile() || after.ino !== created) throw new Error('the clone is not the new file');
    return true;
  } catch {
    await rm(target, { force: true }).catch(() => undefined);
    return false;
  }
}
