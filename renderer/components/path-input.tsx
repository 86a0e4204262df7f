/**
 * Choosing a folder: a native picker in the desktop app, a path text field in the
 * browser (the browser host cannot open dialogs on the server's screen).
 */
import type { ReactNode } from 'react';
import { api } from '../api/labvault-client.ts';
import { isUnsupported } from '../api/error-text.ts';
import { useAppInfoStore } from '../stores/app-info-store.ts';
import { toastError } from '../stores/toast-store.ts';
import { Button } from './button.tsx';
import { Field } from './field.tsx';

export interface FolderInputProps {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: ReactNode;
  error?: string | null;
  note?: string | null;
  placeholder?: string;
  pickerTitle?: string;
}

export function FolderInput({ label, value, onValue, hint, error, note, placeholder, pickerTitle }: FolderInputProps) {
  const nativeDialogs = useAppInfoStore((state) => state.nativeDialogs);
  const pick = async () => {
    try {
      const result = await api.dialogs.pickFolder({
        title: pickerTitle ?? label, ...(value ? { defaultPath: value } : {}),
      });
      if (result.path) onValue(result.path);
    } catch (problem) {
      if (!isUnsupported(problem)) toastError('Could not open the folder picker', problem);
    }
  };
  return (
    <Field label={label} hint={hint} error={error ?? null} note={note ?? null}>
      {({ inputId, describedBy, invalid }) => (
        <div className="input-with-button">
          <input
            id={inputId}
            className="input mono"
            value={value}
            placeholder={placeholder}
            spellCheck={false}
            autoComplete="off"
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            onChange={(event) => onValue(event.target.value)}
          />
          {nativeDialogs ? <Button onClick={() => void pick()}>Browse…</Button> : null}
        </div>
      )}
    </Field>
  );
}
