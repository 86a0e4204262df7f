/**
 * The browser host through the real CLI: a favicon (no 404), the port remembered in the app
 * home and reused when free (another one, said so, when taken), and `labvault ui --open`
 * opening the running host signed in (a fresh one-time code) instead of starting a second.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { runCli, startCli, type StartedCli } from '../../support/cli-runner.ts';

let root: string;
let home: string;
let openerLog: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  root = makeTempDir('labvault-ui-open-');
  home = join(root, 'home');
  openerLog = join(root, 'opened.txt');
  const opener = join(root, 'opener.sh');
  writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${openerLog}'\n`);
  chmodSync(opener, 0o755);
  env = { LABVAULT_OPEN_COMMAND: opener };
});

afterAll(() => removeDir(root));

/** Starts `labvault ui` and waits (bounded) for its address; returns the child and the port. */
async function startUi(extra: string[] = []): Promise<{ ui: StartedCli; port: number }> {
  const ui = startCli(home, ['ui', '--no-open', '--no-scheduler', ...extra], { env });
  for (let poll = 0; poll < 600; poll += 1) {
    const match = /Labvault UI: http:\/\/127\.0\.0\.1:(\d+)\//.exec(ui.output().stdout);
    if (match) return { ui, port: Number(match[1]) };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  ui.child.kill('SIGKILL');
  throw new Error(`labvault ui printed no address: ${ui.output().stderr}`);
}

async function stopUi(ui: StartedCli): Promise<void> {
  ui.child.kill('SIGTERM');
  expect((await ui.result).code).toBe(0);
}

function openedUrls(): string[] {
  return existsSync(openerLog) ? readFileSync(openerLog, 'utf8').split('\n').filter(Boolean) : [];
}

describe('labvault ui: favicon, remembered port, --open', () => {
  it('serves a favicon and lets `ui --open` open the running host signed in', async () => {
    const { ui, port } = await startUi();
    try {
      const icon = await fetch(`http://127.0.0.1:${port}/favicon.ico`);
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toBe('image/svg+xml');
      expect(await icon.text()).toMatch(/^<svg /);
      const state = JSON.parse(readFileSync(join(home, 'browser-ui.json'), 'utf8')) as Record<string, unknown>;
      expect(state).toMatchObject({ port, pid: ui.child.pid });

      const again = await runCli(home, ['ui', '--open', '--json'], { env });
      expect(again.code, again.stderr).toBe(0);
      const answer = again.json<{ reused: boolean; port: number; url: string }>();
      expect(answer).toMatchObject({ reused: true, port });
      let opened: string[] = [];
      for (let poll = 0; poll < 100 && opened.length === 0; poll += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        opened = openedUrls();
      }
      expect(opened).toEqual([answer.url]);
      const signIn = await fetch(answer.url, { redirect: 'manual' });
      expect(signIn.status).toBe(303);
      expect(signIn.headers.get('set-cookie')).toMatch(new RegExp(`^labvault_session_${port}=`));
      // A wrong control token gets nothing.
      const forged = await fetch(`http://127.0.0.1:${port}/__labvault/sign-in-address`, {
        method: 'POST', headers: { 'x-labvault-control': '0'.repeat(64) },
      });
      expect(forged.status).toBe(403);
    } finally {
      await stopUi(ui);
    }
  });

  it('reuses the remembered port when free, and says so when it is taken', async () => {
    const first = await startUi();
    await stopUi(first.ui);
    const state = JSON.parse(readFileSync(join(home, 'browser-ui.json'), 'utf8')) as Record<string, unknown>;
    expect(state).toEqual({ port: first.port });
    const second = await startUi();
    expect(second.port).toBe(first.port);
    await stopUi(second.ui);

    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(first.port, '127.0.0.1', () => resolve()));
    try {
      const third = await startUi();
      expect(third.port).not.toBe(first.port);
      expect(third.ui.output().stderr).toMatch(new RegExp(`Port ${first.port} \\(used last time\\) is taken now`));
      await stopUi(third.ui);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
