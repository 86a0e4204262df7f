import { describe, expect, it } from 'vitest';
import { draftToPolicy, newPolicyDraft, policyToDraft } from '../../../renderer/features/policies/policy-draft.ts';

describe('policy draft testRestore', () => {
  it('writes "testRestore": false only when off, and reads it back (absent is on)', () => {
    const draft = { ...newPolicyDraft(), name: 'Nightly' };
    expect(draftToPolicy(draft)).not.toHaveProperty('testRestore');
    const off = draftToPolicy({ ...draft, testRestore: false });
    expect(off.testRestore).toBe(false);
    expect(policyToDraft(off).testRestore).toBe(false);
    expect(policyToDraft(draftToPolicy(draft)).testRestore).toBe(true);
  });
});
