/**
 * What commands share: one engine per CLI run (closed at exit), the io, and a confirm
 * prompt that refuses to guess when there is no terminal.
 */
import { createInterface } from 'node:readline/promises';
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';
import { Engine } from '../engine/engine.ts';
import type { CliIo } from './cli-command.ts';
import { cliPassphraseSource } from './passphrase.ts';

let engine: Engine | undefined;
let passphraseFile: string | undefined;

export function setPassphraseFile(path: string | undefined): void {
  passphraseFile = path;
}

export function cliPassphraseFile(): string | undefined {
  return passphraseFile;
}

export function cliEngine(io: CliIo): Engine {
  if (!engine) {
    engine = new Engine({ face: 'cli', env: io.env });
    engine.keyring.passphraseFor = cliPassphraseSource(io.env, passphraseFile);
  }
  return engine;
}

export async function closeCliEngine(): Promise<void> {
  const closing = engine?.close();
  engine = undefined;
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
