/**
 * Building blocks of the contract: a channel is an input schema and an output schema;
 * an event is a payload schema. Channel and event names exist only as keys of the tables
 * in this folder: every face derives its names from these tables.
 */
import type { z } from '../zod-jitless.ts';

export interface ChannelSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One line for docs and the CLI-equivalent panel. */
  summary: string;
}

export function channel<I extends z.ZodType, O extends z.ZodType>(
  input: I, output: O, summary: string,
): ChannelSpec<I, O> {
  return { input, output, summary };
}

/** A transport result: the value, or an error with a stable code. */
export type Result<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string; field?: string; details?: Record<string, unknown> } };
