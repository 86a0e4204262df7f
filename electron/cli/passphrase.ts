/**
 * Where the CLI gets an encrypted vault's passphrase: LABVAULT_PASSPHRASE, --passphrase-file
 * F (first line), or a prompt on a terminal (not echoed). Never stored.
 */
import { readFileSync } from 'node:fs';
import { ErrorCodes, LabvaultError } from '../../shared/errors.ts';

export async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new LabvaultError(ErrorCodes.BAD_PASSPHRASE, 'A passphrase is needed and there is no terminal to ask on: set LABVAULT_PASSPHRASE or pass --passphrase-file F.', { field: 'passphrase' });
  }
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          cleanup();
          process.stderr.write('\n');
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          cleanup();
          reject(new LabvaultError(ErrorCodes.CANCELLED, 'Cancelled.'));
          return;
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    const cleanup = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    stdin.on('data', onData);
  });
}

export function passphraseFromFile(path: string): string {
  try {
    return (readFileSync(path, 'utf8').split(/\r?\n/)[0] ?? '');
  } catch (error) {
    throw new LabvaultError(ErrorCodes.INVALID_INPUT, `Cannot read the passphrase file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { field: 'passphrase-file' });
  }
}

/** The passphrase for an existing vault, from the first source that has one. */
export function cliPassphraseSource(
  env: NodeJS.ProcessEnv,
  file: string | undefined,
): (vaultName: string, vaultId?: string) => Promise<string | null> {
  return async (vaultName) => {
    if (file) return passphraseFromFile(file);
    if (env.LABVAULT_PASSPHRASE !== undefined && env.LABVAULT_PASSPHRASE !== '') return env.LABVAULT_PASSPHRASE;
    return promptHidden(`Passphrase for vault "${vaultName}": `);
  };
}

/** A new passphrase (vault create --encrypt): from the same sources, typed twice on a terminal. */
export async function newPassphrase(env: NodeJS.ProcessEnv, file: string | undefined): Promise<string> {
  if (file) return passphraseFromFile(file);
  if (env.LABVAULT_PASSPHRASE !== undefined && env.LABVAULT_PASSPHRASE !== '') return env.LABVAULT_PASSPHRASE;
  const first = await promptHidden('New passphrase (it cannot be recovered: keep it safe): ');
  const second = await promptHidden('Type it again: ');
  if (first !== second) throw new LabvaultError(ErrorCodes.INVALID_INPUT, 'The two passphrases differ; nothing was created.', { field: 'passphrase' });
  return first;
}
