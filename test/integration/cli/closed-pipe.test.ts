/**
 * `labvault ... | head -1`: the reader of stdout goes away before the CLI writes. The CLI ends
 * quietly with the command's own exit code (no EPIPE stack trace); an error still goes to
 * stderr with its exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { startCli } from '../../support/cli-runner.ts';

let root: string;
let home: string;

beforeAll(() => {
  root = makeTempDir('labvault-closed-pipe-');
  home = join(root, 'home');
});

afterAll(() => removeDir(root));

/** Runs the CLI with the read end of its stdout closed before the child starts writing. */
async function withStdoutClosed(args: string[]) {
  const started = startCli(home, args);
  started.child.stdout?.destroy();
  return started.result;
}

describe('a closed stdout pipe', () => {
  it('help, list and --json output: exit 0, nothing on stderr', async () => {
    for (const args of [['help'], ['vault', 'list'], ['jobs', 'list', '--json']]) {
      const result = await withStdoutClosed(args);
      expect(result.stderr, args.join(' ')).toBe('');
      expect(result.signal, args.join(' ')).toBeNull();
      expect(result.code, args.join(' ')).toBe(0);
    }
  });

  it('a command that fails still says why on stderr and keeps its exit code', async () => {
    const result = await withStdoutClosed(['vault', 'show', 'no-such-vault']);
    expect(result.stderr).toMatch(/^labvault: error \[NOT_FOUND\]/);
    expect(result.stderr).not.toMatch(/EPIPE/);
    expect(result.code).toBe(2);
  });
});
