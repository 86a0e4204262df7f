/**
 * What commands share: one engine per CLI run (closed at exit), called through the contract
 * (cliClient: every input and output is checked like the UI's), its events, the io, and a
 * confirm prompt that refuses to guess when there is no terminal.
 */
import { createInterface } from 'node:readline/promises';
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';
import type { ChannelClient } from '../../shared/contract/channels.ts';
import { createDirectClient } from '../../shared/contract/direct-client.ts';
import { Engine, type EventBus } from '../engine/index.ts';
import type { CliIo } from './cli-command.ts';
import { cliPassphraseSource } from './passphrase.ts';

let engine: Engine | undefined;
let client: ChannelClient | undefined;
let passphraseFile: string | undefined;

export function setPassphraseFile(path: string | undefined): void {
  passphraseFile = path;
}

export function cliPassphraseFile(): string | undefined {
  return passphraseFile;
}

/** The engine itself, for commands that host something in this process (scheduler, browser UI). */
export function cliEngine(io: CliIo): Engine {
  engine ??= new Engine({ face: 'cli', env: io.env, passphraseSource: cliPassphraseSource(io.env, passphraseFile) });
  return engine;
}

/** The engine's channels, each call validated against the contract (bad input: INVALID_INPUT naming the field). */
export function cliClient(io: CliIo): ChannelClient {
  const current = cliEngine(io);
  client ??= createDirectClient(current.handlers);
  return client;
}

/** The engine's pushed events (job progress, export progress). */
export function cliEvents(io: CliIo): Pick<EventBus, 'on'> {
  return cliEngine(io).events;
}

export async function closeCliEngine(): Promise<void> {
  const closing = engine?.close();
  engine = undefined;
  client = undefined;
  await closing;
}

/** Asks a yes/no question on a terminal; without one, tells the user which flag confirms. */
export async function confirmOnTerminal(question: string, flagHint: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Confirmation needed and no terminal to ask on: pass ${flagHint}.`, { field: flagHint.replace(/^--/, '').split(' ')[0] ?? 'yes' });
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
