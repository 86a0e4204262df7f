/** Exhaustiveness check for switches over discriminated unions. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected case: ${JSON.stringify(value)}`);
}
