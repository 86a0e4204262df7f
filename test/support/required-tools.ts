/**
 * Tools the tests need from the machine (qemu-img, qemu-io). A missing one fails the test
 * file with a line saying what to install, so a machine without them cannot pass by
 * skipping. LABVAULT_ALLOW_MISSING_TOOLS=1 turns that into a skip (a local opt-out that CI
 * and `npm test` never set); `npm test` then lists the skipped tests at its end.
 */
import { execFileSync } from 'node:child_process';

export const ALLOW_MISSING_TOOLS_ENV = 'LABVAULT_ALLOW_MISSING_TOOLS';

const found = new Map<string, boolean>();

function runs(command: string, probeArgs: string[]): boolean {
  let ok = found.get(command);
  if (ok === undefined) {
    try {
      execFileSync(command, probeArgs, { stdio: 'ignore' });
      ok = true;
    } catch {
      ok = false;
    }
    found.set(command, ok);
  }
  return ok;
}

/**
 * True when `command --version` (or `command ...probeArgs` for tools without --version, such as
 * `mkfs.ext4 -V`) runs. When it does not: false if LABVAULT_ALLOW_MISSING_TOOLS=1 (the caller
 * skips), else throws naming the package.
 */
export function requireTool(command: string, aptPackage: string, probeArgs: string[] = ['--version']): boolean {
  if (runs(command, probeArgs)) return true;
  if (process.env[ALLOW_MISSING_TOOLS_ENV] === '1') {
    console.log(`${command} is missing: skipping its tests (${ALLOW_MISSING_TOOLS_ENV}=1)`);
    return false;
  }
  throw new Error(`${command} is not installed; these tests use it as the reference tool. `
    + `Install ${aptPackage} (apt install ${aptPackage}; .ci/run does), or set ${ALLOW_MISSING_TOOLS_ENV}=1 to skip them.`);
}
