/**
 * A labelled form field with a hint and an inline validation message. The message is
 * tied to the input with aria-describedby and shown as soon as it exists.
 */
import { useId, type ReactNode, type InputHTMLAttributes } from 'react';

export interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | null;
  /** A positive note (e.g. "New folder: it will be created."). */
  note?: string | null;
  children: (ids: { inputId: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

export function Field({ label, hint, error, note, children }: FieldProps) {
  const inputId = useId();
  const messageId = `${inputId}-message`;
  const hintId = `${inputId}-hint`;
  const describedBy = [hint ? hintId : '', error || note ? messageId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={inputId}>{label}</label>
      {children({ inputId, describedBy, invalid: Boolean(error) })}
      {hint ? <div className="field-hint" id={hintId}>{hint}</div> : null}
      {error ? (
        <div className="field-error" id={messageId} role="alert">{error}</div>
      ) : note ? (
        <div className="field-note" id={messageId}>{note}</div>
      ) : null}
    </div>
  );
}

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: ReactNode;
  error?: string | null;
  note?: string | null;
}

export function TextField({ label, value, onValue, hint, error, note, ...rest }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error ?? null} note={note ?? null}>
      {({ inputId, describedBy, invalid }) => (
        <input
          id={inputId}
          className="input"
          value={value}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          onChange={(event) => onValue(event.target.value)}
          {...rest}
        />
      )}
    </Field>
  );
}
