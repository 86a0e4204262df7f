/**
 * The one action of a dialog (Delete, Apply, Confirm): busy while it runs, its error shown
 * in the dialog when it fails (the dialog stays open), `onSuccess` when it succeeds.
 */
import { useState } from 'react';
import { shownError } from '../api/error-text.ts';

export interface DialogAction {
  busy: boolean;
  error: string | null;
  run(action: () => Promise<void>): Promise<void>;
}

export function useDialogAction(onSuccess: () => void): DialogAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      onSuccess();
    } catch (problem) {
      setError(shownError(problem).message);
      setBusy(false);
    }
  };
  return { busy, error, run };
}
