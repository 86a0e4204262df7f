/** The wizards' pure logic: step order, what lets a step be left, and the CLI equivalents. */
import { describe, expect, it } from 'vitest';
import type { FileCandidate } from '../../../shared/contract/item-models.ts';
import { keepsNothingReason } from '../../../renderer/features/policies/policy-keeps-nothing.ts';
import { changeDraft, fieldError, newPolicyDraft, policyErrors } from '../../../renderer/features/policies/policy-draft.ts';
import {
  basicsComplete, createVaultCli, emptyVaultDraft, joinPath, nameError, passphraseAgainError, passphraseError,
  settingsComplete, softDeleteDaysError, stepIndex,
} from '../../../renderer/features/vaults/create-vault-steps.ts';
import {
  candidatesOk, filesToProtect, protectFilesCli, suggestedItemName,
} from '../../../renderer/features/protect/hand-picked-files.ts';
import { emptyDraft, restoreCli, restoreStepIndex } from '../../../renderer/features/restore/restore-steps.ts';
import { policyStepIndex } from '../../../renderer/features/policies/policy-wizard-steps.ts';
import { passphraseStrength } from '../../../renderer/features/vaults/passphrase-strength.ts';

const okPath = { ok: true, path: '/srv/vaults/lab-1' } as never;

describe('create-vault wizard', () => {
  it('orders its steps and keeps creating on the review step', () => {
    expect([stepIndex({ kind: 'basics' }), stepIndex({ kind: 'settings' }), stepIndex({ kind: 'review', error: null }),
      stepIndex({ kind: 'creating' })]).toEqual([0, 1, 2, 2]);
  });

  it('checks the name rule and clashes regardless of case', () => {
    expect(nameError('lab-1', [])).toBeNull();
    expect(nameError('Lab-1', ['lab-1'])).toMatch(/already exists/);
    expect(nameError('1lab', [])).not.toBeNull();
    expect(nameError('a', [])).not.toBeNull();
  });

  it('leaves basics only with a valid name, a path and a good path check', () => {
    const draft = { ...emptyVaultDraft(), name: 'lab-1', path: '/srv/vaults/lab-1' };
    expect(basicsComplete(draft, [], okPath)).toBe(true);
    expect(basicsComplete(draft, [], null)).toBe(false);
    expect(basicsComplete(draft, [], { ok: false, path: '/x' } as never)).toBe(false);
    expect(basicsComplete({ ...draft, path: ' ' }, [], okPath)).toBe(false);
    expect(basicsComplete(draft, ['LAB-1'], okPath)).toBe(false);
  });

  it('checks soft-delete days and passphrases before settings may be left', () => {
    const draft = emptyVaultDraft();
    expect(settingsComplete(draft)).toBe(true);
    expect(softDeleteDaysError({ ...draft, softDeleteDays: '' })).toMatch(/how many days/);
    expect(softDeleteDaysError({ ...draft, softDeleteDays: '13' })).not.toBeNull();
    expect(softDeleteDaysError({ ...draft, softDeleteEnabled: false, softDeleteDays: '13' })).toBeNull();
    const encrypted = { ...draft, encrypt: true, passphrase: 'short', passphraseAgain: '' };
    expect(passphraseError(encrypted)).toMatch(/at least/);
    expect(settingsComplete(encrypted)).toBe(false);
    const differing = { ...encrypted, passphrase: 'correct horse battery', passphraseAgain: 'correct horse battery!' };
    expect(passphraseAgainError(differing)).toMatch(/differ/);
    expect(settingsComplete(differing)).toBe(false);
    expect(settingsComplete({ ...differing, passphraseAgain: 'correct horse battery' })).toBe(true);
  });

  it('shows the CLI command that does the same', () => {
    const draft = { ...emptyVaultDraft(), name: 'lab-1', path: "/srv/my vaults/it's", softDeleteDays: '30', immutability: 'enabled' as const };
    expect(createVaultCli(draft)).toBe("labvault vault create --name lab-1 --path '/srv/my vaults/it'\\''s' --soft-delete-days 30 --immutability enabled");
    expect(createVaultCli({ ...draft, softDeleteEnabled: false, immutability: 'disabled' }).split('\n')[1])
      .toBe('labvault vault update lab-1 --soft-delete off --confirm lab-1');
    expect(joinPath('C:\\Vaults', 'lab-1', 'win32')).toBe('C:\\Vaults\\lab-1');
    expect(joinPath('/srv/', 'lab-1', 'linux')).toBe('/srv/lab-1');
  });
});

describe('files picked by hand (configure-backup wizard)', () => {
  const candidate = (path: string, role: FileCandidate['role'], ok = true) => ({ path, role, ok }) as FileCandidate;

  it('suggests a name from the configuration file first, else the first disk', () => {
    expect(suggestedItemName([candidate('/vms/web 01/disk.vdi', 'disk'), candidate('/vms/web 01/Web 01.vbox', 'config')])).toBe('Web-01');
    expect(suggestedItemName([candidate('C:\\VMs\\db\\db-01.vhdx', 'disk')])).toBe('db-01');
    expect(suggestedItemName([])).toBe('');
  });

  it('moves on only when every file was checked readable', () => {
    expect(candidatesOk(null)).toBe(false);
    expect(candidatesOk([])).toBe(false);
    expect(candidatesOk([candidate('/a', 'disk'), candidate('/b', 'disk', false)])).toBe(false);
    expect(candidatesOk([candidate('/a', 'disk')])).toBe(true);
    expect(filesToProtect([candidate('/a', 'disk'), candidate('/a', 'disk'), candidate('/base', 'disk')])).toEqual(['/a', '/base']);
  });

  it('shows the CLI command', () => {
    expect(protectFilesCli('lab-1', 'web-01', '', ['/vms/web 01.qcow2']))
      .toBe("labvault protect --vault lab-1 --name web-01 '/vms/web 01.qcow2'");
  });
});

describe('restore and policy wizards', () => {
  it('restore: steps in order and the CLI with chosen files', () => {
    expect(restoreStepIndex({ kind: 'finished', job: {} as never })).toBe(6);
    const draft = { ...emptyDraft('i'), itemName: 'web-01', pointId: 'p1', kind: 'disks' as const, files: ['a.qcow2'], allFiles: false, target: '/restore here' };
    expect(restoreCli(draft)).toBe("labvault restore disks web-01 --point p1 --to '/restore here' --file a.qcow2");
    expect(restoreCli({ ...draft, itemName: '', pointId: '', target: '', allFiles: true })).toBe('labvault restore disks ITEM --point POINT --to DIR');
  });

  it('policy: saving stays on the review step', () => {
    expect(policyStepIndex({ kind: 'saving' })).toBe(policyStepIndex({ kind: 'review', error: null }));
    expect(policyStepIndex({ kind: 'done', policy: {} as never })).toBe(6);
  });

  it('passphrase strength rewards length and refuses repeats', () => {
    expect(passphraseStrength('').level).toBe(0);
    expect(passphraseStrength('aaaaaaaaaaaaaaaaaaaaaaaaaaaa').level).toBe(1);
    expect(passphraseStrength('Tr0ub4dor&3x').level).toBe(2);
    expect(passphraseStrength('correct horse battery staple').level).toBe(3);
  });
});

describe('a policy that keeps nothing', () => {
  it('is refused with the weekly day it misses, and allowed once a rule keeps a point', () => {
    const draft = newPolicyDraft();
    draft.frequency = 'weekly';
    draft.days = ['saturday'];
    draft.daily.on = false;
    draft.weekly = { on: true, weeks: '12', day: 'sunday' };
    const none = { points: Array.from({ length: 52 }, () => ({ keep: false })) };
    expect(keepsNothingReason(none, draft)).toBe('None of the 52 scheduled backups in a year would be kept.'
      + ' Weekly points are the Sunday backups, but backups run on Saturday: choose a weekly day the schedule runs,'
      + ' or keep daily points.');
    expect(keepsNothingReason({ points: [...none.points, { keep: true }] }, draft)).toBeNull();
    expect(keepsNothingReason({ points: [] }, draft)).toBeNull();
    draft.weekly.day = 'saturday';
    expect(keepsNothingReason(none, draft)).toMatch(/^None of the 52 .* or keep daily points\.$/);
  });
});

describe('retention days follow the schedule', () => {
  it('moves the weekly day to a scheduled day when the schedule changes, and flags a day chosen off-schedule', () => {
    let draft = newPolicyDraft();
    draft = changeDraft(draft, { weekly: { on: true, weeks: '12', day: 'sunday' }, daily: { on: false, days: '30' } });
    draft = changeDraft(draft, { frequency: 'weekly', days: ['saturday'] });
    expect(draft.weekly.day).toBe('saturday');
    expect(policyErrors(draft).has('retention.weekly.day')).toBe(false);
    draft = changeDraft(draft, { weekly: { ...draft.weekly, day: 'sunday' } });
    expect(draft.weekly.day).toBe('sunday');
    expect(fieldError(policyErrors(draft), 'retention.weekly.day')).toMatch(/^Must be a day the schedule runs \(saturday\)/);
  });
});
