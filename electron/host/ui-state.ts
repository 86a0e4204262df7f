/**
 * What `labvault ui` remembers in the app home (browser-ui.json, owner-only): the port it
 * served on (reused at the next start when free, so a bookmark keeps working), and while it
 * runs, its pid and a random control token with which `labvault ui --open` asks it for a
 * fresh one-time sign-in address instead of starting a second host.
 * The file is this machine's, not a vault's; it is still read defensively (schema, size cap).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { z } from '../../shared/zod-jitless.ts';

export const UI_STATE_FILE = 'browser-ui.json';
const STATE_READ_CAP = 4096;
/** Path of the host's control request: POST with the token, answers { url } (a fresh sign-in address). */
export const UI_CONTROL_PATH = '/__labvault/sign-in-address';
export const UI_CONTROL_HEADER = 'x-labvault-control';

const UiStateSchema = z.object({
  port: z.number().int().min(1).max(65535),
  pid: z.number().int().positive().optional(),
  controlToken: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type UiState = z.infer<typeof UiStateSchema>;

export function uiStatePath(appHome: string): string {
  return join(appHome, UI_STATE_FILE);
}

export async function readUiState(appHome: string): Promise<UiState | null> {
  try {
    const text = await readFile(uiStatePath(appHome), 'utf8');
    if (text.length > STATE_READ_CAP) return null;
    const parsed = UiStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeUiState(appHome: string, state: UiState): Promise<void> {
  await writeFile(uiStatePath(appHome), JSON.stringify(state), { mode: 0o600 });
}

/** Keeps the port for the next start; forgets the pid and token (the host stopped). */
export async function markUiStopped(appHome: string, port: number): Promise<void> {
  await writeUiState(appHome, { port }).catch(() => rm(uiStatePath(appHome), { force: true }));
}

/** True when nothing listens on 127.0.0.1:port now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** Asks a running host (pid alive, port answering) for a fresh sign-in address; null when none answers. */
export async function askRunningHost(state: UiState, pidAlive: (pid: number) => boolean): Promise<string | null> {
  if (state.pid === undefined || state.controlToken === undefined || !pidAlive(state.pid)) return null;
  try {
    const response = await fetch(`http://127.0.0.1:${state.port}${UI_CONTROL_PATH}`, {
      method: 'POST', headers: { [UI_CONTROL_HEADER]: state.controlToken }, signal: AbortSignal.timeout(5000),
    });
    if (response.status !== 200) return null;
    const body = z.object({ url: z.string().startsWith(`http://127.0.0.1:${state.port}/`) })
      .safeParse(await response.json());
    return body.success ? body.data.url : null;
  } catch {
    return null;
  }
}
