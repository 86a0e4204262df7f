/**
 * Runs the installed package as on an offline lab machine without Node.js: a PATH whose
 * folder holds every system tool but node/npm, and, where unshare(1) is allowed (root, or
 * an unprivileged user namespace), new network and mount namespaces in which only loopback
 * exists, the repository (its node_modules and .node/) is covered by an empty tmpfs, and
 * every system node binary is covered by /dev/null. Where unshare is refused, the
 * commands run with the stripped PATH only, and `limitation` says why.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';

const SYSTEM_BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const NODE_NAMES = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack']);
const PREPARE = [
  'set -e',
  'ip link set lo up',
  'mount -t tmpfs -o size=64k,mode=755 labvault-hidden-repo "$LABVAULT_SANDBOX_REPO"',
  'for file in $LABVAULT_SANDBOX_NODES; do mount --bind /dev/null "$file"; done',
  'unset LABVAULT_SANDBOX_REPO LABVAULT_SANDBOX_NODES',
  'exec "$@"',
].join('\n');

export interface OfflineSandbox {
  /** 'root' or 'user' namespaces, or null when unshare was refused. */
  namespaces: 'root' | 'user' | null;
  /** Why the network and the system node are not blocked (namespaces null). */
  limitation: string | null;
  /** PATH of the sandbox: every system tool except node, npm, npx and corepack. */
  path: string;
  run(argv: string[], env: Record<string, string>, timeoutMs?: number): SpawnSyncReturns<string>;
  start(argv: string[], env: Record<string, string>): ChildProcess;
  /** The argv prefix that enters a running sandboxed process's network namespace. */
  enterNetwork(pid: number): string[];
}

/** A folder of symlinks to the system's tools, without node and npm. */
function toolsWithoutNode(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const bin of SYSTEM_BIN_DIRS) {
    if (!existsSync(bin)) continue;
    for (const name of readdirSync(bin)) {
      if (NODE_NAMES.has(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(bin, name), join(dir, name));
    }
  }
  return dir;
}

/** The real files of every node the machine has outside the repository. */
function systemNodes(repo: string): string[] {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...SYSTEM_BIN_DIRS].filter((dir) => dir.startsWith('/'));
  const found = new Set<string>();
  for (const dir of dirs) {
    for (const name of ['node', 'nodejs']) {
      const path = join(dir, name);
      if (!existsSync(path)) continue;
      const real = realpathSync(path);
      if (relative(repo, real).startsWith('..')) found.add(real);
    }
  }
  return [...found].filter((path) => !/\s/.test(path));
}

function probe(args: string[]): string | null {
  const result = spawnSync('unshare', [...args, 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
  if (result.error) return result.error.message;
  return result.status === 0 ? null : (result.stderr.trim() || `exit ${result.status}`);
}

export function offlineSandbox(repo: string, scratch: string): OfflineSandbox {
  const path = toolsWithoutNode(join(scratch, 'tools-without-node'));
  const rootProblem = probe(['-m', '-n']);
  const userProblem = rootProblem === null ? null : probe(['-r', '-m', '-n']);
  const namespaces = rootProblem === null ? 'root' : userProblem === null ? 'user' : null;
  const limitation = namespaces === null
    ? `unshare -m -n is not permitted here (${rootProblem}; as a user: ${userProblem}): the network is not blocked `
      + 'and the system node is hidden from PATH only'
    : null;
  const nodes = systemNodes(repo).join(' ');
  const wrap = (argv: string[], env: Record<string, string>): [string, string[], NodeJS.ProcessEnv] => {
    const fullEnv = { ...env, PATH: path };
    if (namespaces === null) return [argv[0] as string, argv.slice(1), fullEnv];
    const unshare = namespaces === 'root' ? ['-m', '-n'] : ['-r', '-m', '-n'];
    return ['unshare', [...unshare, '--', '/bin/sh', '-c', PREPARE, 'offline-sandbox', ...argv],
      { ...fullEnv, LABVAULT_SANDBOX_REPO: repo, LABVAULT_SANDBOX_NODES: nodes }];
  };
  return {
    namespaces,
    limitation,
    path,
    run(argv, env, timeoutMs = 240_000) {
      const [command, args, fullEnv] = wrap(argv, env);
      return spawnSync(command, args, { env: fullEnv, encoding: 'utf8', timeout: timeoutMs, input: '' });
    },
    start(argv, env) {
      const [command, args, fullEnv] = wrap(argv, env);
      return spawn(command, args, { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    },
    enterNetwork(pid) {
      if (namespaces === null) return [];
      return namespaces === 'root'
        ? ['nsenter', `--net=/proc/${pid}/ns/net`, '--']
        : ['nsenter', '-t', String(pid), '-U', '-n', '--preserve-credentials', '--'];
    },
  };
}
