/** Step 1: the vault's name (live rule check, unique) and its folder (checked by the engine). */
import type { PathCheck } from '../../../shared/contract/models.ts';
import { VAULT_NAME_MAX, VAULT_NAME_MIN } from '../../../shared/vault-rules.ts';
import { TextField } from '../../components/field.tsx';
import { FolderInput } from '../../components/path-input.tsx';
import { useAppInfoStore } from '../../stores/app-info-store.ts';
import { nameError, type ServerFieldErrors, type VaultDraft } from './create-vault-steps.ts';

export interface BasicsProps {
  draft: VaultDraft;
  update: (change: Partial<VaultDraft>) => void;
  knownNames: readonly string[];
  pathCheck: PathCheck | null;
  checkingPath: boolean;
  serverErrors: ServerFieldErrors;
}

export function CreateVaultBasicsStep(
  { draft, update, knownNames, pathCheck, checkingPath, serverErrors }: BasicsProps,
) {
  const nativeDialogs = useAppInfoStore((state) => state.nativeDialogs);
  const info = useAppInfoStore((state) => state.info);
  const liveNameError = draft.name === '' ? null : nameError(draft.name, knownNames);
  const pathError = serverErrors.path ?? (pathCheck && !pathCheck.ok ? pathCheck.message : null);
  const pathNote = !pathError && pathCheck?.ok ? `${pathCheck.message} (${pathCheck.path})` : null;
  return (
    <div className="wizard-columns">
      <div className="form-narrow">
        <h2>Name and location</h2>
        <p className="step-intro">Choose a name you will recognise in lists and scripts, and an empty or new folder for the vault.</p>
        <TextField
          label="Vault name"
          name="vault-name"
          value={draft.name}
          onValue={(name) => update({ name })}
          error={serverErrors.name ?? liveNameError}
          hint={`${VAULT_NAME_MIN} to ${VAULT_NAME_MAX} characters: starts with a letter, then letters, digits and hyphens.`}
          placeholder="lab-vault"
          autoComplete="off"
          spellCheck={false}
          autoFocus
        />
        <FolderInput
          label="Location"
          value={draft.path}
          onValue={(path) => update({ path, pathEdited: true })}
          error={pathError}
          note={pathNote}
          placeholder={info ? `${info.defaultVaultParent}/lab-vault` : '/srv/backups/lab-vault'}
          pickerTitle="Choose an empty folder for the vault"
          hint={nativeDialogs
            ? 'Choose an empty folder, or type the path of a folder to create.'
            : 'Type the full path of an empty or new folder on the machine running Labvault.'}
        />
        {checkingPath && draft.path !== '' ? <p className="muted small" aria-live="polite">Checking the location…</p> : null}
      </div>
      <aside className="side-note">
        <h3>About vaults</h3>
        <ul>
          <li>The vault lays out its own storage inside the folder: no sub-folders to plan.</li>
          <li>Data is deduplicated and compressed; only changed blocks are written by later backups.</li>
          <li>Names are unique regardless of letter case.</li>
        </ul>
      </aside>
    </div>
  );
}
