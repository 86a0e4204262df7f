/**
 * Without VBoxManage on PATH, Linux still tells whether a VirtualBox VM runs: every running VM
 * is a VBoxHeadless or VirtualBoxVM process started with `--startvm <uuid|name>` (or
 * `--comment <name>`), visible in /proc/<pid>/cmdline. Other systems: null (unknown).
 */
import { readFile, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';

const PROC = '/proc';
const MAX_PROCESSES = 65_536;
const VM_PROCESSES = new Set(['VBoxHeadless', 'VirtualBoxVM', 'VirtualBox', 'VBoxSDL']);

/** True when `argv` is a VirtualBox VM process for this machine. */
export function isVboxVmProcess(argv: string[], machine: { uuid: string; name: string }): boolean {
  const start = argv.findIndex((arg) => VM_PROCESSES.has(basename(arg)));
  if (start === -1) return false;
  const args = argv.slice(start + 1);
  return args.some((arg, index) => {
    if (arg !== '--startvm' && arg !== '--comment' && arg !== '-startvm' && arg !== '-s') return false;
    const value = (args[index + 1] ?? '').replace(/^\{|\}$/g, '');
    return value.toLowerCase() === machine.uuid || value === machine.name;
  });
}

/** The pid of a process running this VM, 0 for none, null when processes cannot be listed here. */
export async function vboxVmProcess(machine: { uuid: string; name: string }): Promise<number | null> {
  if (process.platform !== 'linux') return null;
  const entries = await readdir(PROC).catch(() => null);
  if (entries === null) return null;
  for (const entry of entries.filter((name) => /^\d+$/.test(name)).slice(0, MAX_PROCESSES)) {
    const cmdline = await readFile(join(PROC, entry, 'cmdline')).catch(() => null);
    if (cmdline === null || cmdline.length === 0) continue;
    const argv = cmdline.subarray(0, 64 * 1024).toString('utf8').split('\0').filter((arg) => arg !== '');
    if (isVboxVmProcess(argv, machine)) return Number(entry);
  }
  return 0;
}
