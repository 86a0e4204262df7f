/**
 * Imported first by labvault.ts: when this process is the `labvault` command and its
 * passphrase comes without a prompt (--passphrase-file F, else LABVAULT_PASSPHRASE), starts
 * deriving the key of the one encrypted vault this machine knows before the rest of the
 * command loads (engine/vault/early-key-derivation.ts says when and why). Commands that never
 * open a vault skip it.
 */
import { resolveAppHome, startEarlyKeyDerivation } from '../engine/start-up.ts';
import { passphraseFromFile } from './passphrase.ts';

/** First words after which no vault key is needed. */
const KEYLESS = new Set(['help', '--help', '-h', '--version', 'ui', 'service', 'image', 'vm']);

function earlyPassphrase(argv: string[], env: NodeJS.ProcessEnv): string {
  const at = argv.findIndex((word) => word === '--passphrase-file' || word.startsWith('--passphrase-file='));
  if (at !== -1) {
    const word = argv[at]!;
    const file = word.includes('=') ? word.slice(word.indexOf('=') + 1) : argv[at + 1];
    try {
      return file === undefined ? '' : passphraseFromFile(file);
    } catch {
      return '';
    }
  }
  return env.LABVAULT_PASSPHRASE ?? '';
}

if ((globalThis as { __LABVAULT_CLI_MAIN__?: boolean }).__LABVAULT_CLI_MAIN__ === true) {
  const argv = process.argv.slice(2);
  const first = argv[0];
  const vaultCreate = first === 'vault' && argv[1] === 'create';
  if (first !== undefined && !KEYLESS.has(first) && !vaultCreate) {
    startEarlyKeyDerivation(resolveAppHome(process.env), earlyPassphrase(argv, process.env));
  }
}
