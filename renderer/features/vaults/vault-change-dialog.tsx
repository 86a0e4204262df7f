/** Confirms a risky vault change: soft delete off, immutability on/off, lock (typed name). */
import { useState } from 'react';
import type { Vault } from '../../../shared/contract/models.ts';
import type { UpdateVaultInput } from '../../../shared/contract/vault-channels.ts';
import { assertNever } from '../../assert-never.ts';
import { AlertBanner } from '../../components/alert-banner.tsx';
import { Button } from '../../components/button.tsx';
import { CliEquivalent } from '../../components/cli-equivalent.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { TypedConfirm } from '../../components/typed-confirm.tsx';
import { shellQuote } from '../../format/cli-quote.ts';

export type VaultChange =
  | { kind: 'soft-delete-off' }
  | { kind: 'immutability'; to: 'enabled' | 'disabled' | 'locked' };

interface Plan {
  title: string;
  body: string;
  warning: string | null;
  typed: boolean;
  button: string;
  input: Omit<UpdateVaultInput, 'name'>;
  done: string;
  cli: string;
}

function planOf(vault: Vault, change: VaultChange): Plan {
  const name = shellQuote(vault.name);
  switch (change.kind) {
    case 'soft-delete-off':
      return {
        title: 'Turn soft delete off',
        body: 'Deleted backup data will be removed at once instead of being kept for undelete.',
        warning: 'A mistaken or malicious delete can then not be undone.',
        typed: true,
        button: 'Turn soft delete off',
        input: { softDeleteEnabled: false, confirm: vault.name },
        done: 'Soft delete is off',
        cli: `labvault vault update ${name} --soft-delete off --confirm ${name}`,
      };
    case 'immutability':
      switch (change.to) {
        case 'enabled':
          return { title: 'Enable immutability', body: 'No recovery point can be deleted before its expiry, retention cannot be shortened and soft delete cannot be turned off. You can disable it again later, unless you lock it.', warning: null, typed: false, button: 'Enable', input: { immutability: 'enabled' }, done: 'Immutability enabled', cli: `labvault vault update ${name} --immutability enabled` };
        case 'disabled':
          return { title: 'Disable immutability', body: 'Recovery points can then be deleted before they expire.', warning: null, typed: false, button: 'Disable', input: { immutability: 'disabled' }, done: 'Immutability disabled', cli: `labvault vault update ${name} --immutability disabled` };
        case 'locked':
          return {
            title: 'Lock immutability',
            body: 'Locking makes this vault immutable for good: no recovery point can ever be deleted before its expiry, retention can never be shortened and soft delete can never be turned off.',
            warning: 'Locking is irreversible. Nobody can unlock the vault, not even with this app.',
            typed: true,
            button: 'Lock immutability',
            input: { immutability: 'locked', confirm: vault.name },
            done: 'Immutability locked',
            cli: `labvault vault update ${name} --immutability locked --confirm ${name}`,
          };
        default:
          return assertNever(change.to);
      }
    default:
      return assertNever(change);
  }
}

export function VaultChangeDialog({ vault, change, onClose, onApply }: { vault: Vault; change: VaultChange; onClose: () => void; onApply: (input: Omit<UpdateVaultInput, 'name'>, done: string) => Promise<void> }) {
  const plan = planOf(vault, change);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const ready = !plan.typed || typed === vault.name;
  return (
    <Dialog
      title={plan.title}
      tone={plan.typed ? 'danger' : 'default'}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant={plan.typed ? 'danger' : 'primary'} busy={busy} disabled={!ready} onClick={() => { setBusy(true); void onApply(plan.input, plan.done).finally(() => setBusy(false)); }}>{plan.button}</Button>
        </>
      }
    >
      <p>{plan.body}</p>
      {plan.warning ? <AlertBanner tone="danger">{plan.warning}</AlertBanner> : null}
      {plan.typed ? <TypedConfirm expected={vault.name} value={typed} onValue={setTyped} what="vault name" /> : null}
      <CliEquivalent command={plan.cli} />
    </Dialog>
  );
}
