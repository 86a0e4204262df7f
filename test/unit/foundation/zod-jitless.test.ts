/**
 * shared/zod-jitless.ts: every schema is built with zod's JIT off (no code generated with
 * new Function at the first parse), and parses and refuses as before.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from '../../../shared/zod-jitless.ts';
import { CreateVaultInputSchema } from '../../../shared/contract/vault-channels.ts';

describe('zod without its JIT', () => {
  it('is configured jitless before any schema is used', () => {
    expect(z.config().jitless).toBe(true);
  });

  it('parses and refuses object schemas without generating code', () => {
    const made = vi.spyOn(globalThis, 'Function');
    const schema = z.object({ name: z.string().min(1), size: z.number().int().nonnegative(), tags: z.array(z.string()).optional() });
    for (let round = 0; round < 3; round += 1) {
      expect(schema.parse({ name: 'web', size: 3 })).toEqual({ name: 'web', size: 3 });
      const refused = schema.safeParse({ name: '', size: -1 });
      expect(refused.success).toBe(false);
      expect(refused.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['name', 'size']);
    }
    expect(made).not.toHaveBeenCalled();
    made.mockRestore();
  });

  it('checks a contract schema as before', () => {
    expect(CreateVaultInputSchema.safeParse({ name: 'lab', path: '/tmp/lab' }).success).toBe(true);
    expect(CreateVaultInputSchema.safeParse({ name: 5 }).success).toBe(false);
  });
});
