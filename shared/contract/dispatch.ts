/**
 * Engine-side dispatch, shared by every host (Electron IPC, WebSocket, tests): validate
 * the input, call the handler, validate the output, and turn any failure into a Result
 * with a stable error code.
 */
import { z } from '../zod-jitless.ts';
import { ErrorCodes, LabvaultError } from '../errors.ts';
import { channels, isChannelName, splitChannel, type ChannelHandlers } from './channels.ts';
import type { Result } from './define.ts';

export function zodIssueField(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.') || 'input';
}

export async function dispatchChannel(
  handlers: ChannelHandlers, name: unknown, rawInput: unknown,
): Promise<Result<unknown>> {
  if (!isChannelName(name)) {
    return { ok: false, error: { code: ErrorCodes.INVALID_INPUT, message: `Unknown channel ${JSON.stringify(String(name)).slice(0, 80)}.` } };
  }
  const spec = channels[name];
  const parsed = spec.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? zodIssueField(issue) : 'input';
    return { ok: false, error: { code: ErrorCodes.INVALID_INPUT, message: `Invalid ${field}: ${issue?.message ?? 'bad input'}.`, field } };
  }
  try {
    const [group, method] = splitChannel(name);
    const handlerGroups = handlers as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
    const groupHandlers = handlerGroups[group];
    const handler = groupHandlers?.[method];
    if (!handler) throw new LabvaultError(ErrorCodes.INTERNAL, `No handler for ${name}.`);
    const value = await handler(parsed.data);
    const checked = spec.output.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new LabvaultError(ErrorCodes.INTERNAL, `Engine returned an invalid ${name} result (${issue ? zodIssueField(issue) : '?'}: ${issue?.message ?? ''}).`);
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    return { ok: false, error: errorToInfo(error) };
  }
}

export function errorToInfo(
  error: unknown,
): { code: string; message: string; field?: string; details?: Record<string, unknown> } {
  if (error instanceof LabvaultError) return error.toInfo();
  const message = error instanceof Error ? error.message : String(error);
  return { code: ErrorCodes.INTERNAL, message };
}
