/** "Type the name to confirm": the guard in front of irreversible or risky changes. */
import { TextField } from './field.tsx';

export function TypedConfirm({ expected, value, onValue, what }: {
  expected: string; value: string; onValue: (value: string) => void; what: string;
}) {
  const mismatch = value !== '' && value !== expected;
  return (
    <TextField
      label={`Type the ${what} "${expected}" to confirm`}
      value={value}
      onValue={onValue}
      autoComplete="off"
      spellCheck={false}
      error={mismatch ? `Does not match "${expected}" (letter case counts).` : null}
    />
  );
}

export function typedConfirmOk(expected: string, value: string): boolean {
  return value === expected;
}
