/**
 * Test restore results on format version 1 vaults (written before the setting and the
 * point-checks records): their policies, which have no "testRestore" field, keep it on; a
 * test restore of their point is kept in data/records/point-checks (sealed in the encrypted
 * vault) and survives a catalog rebuild.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../../electron/engine/engine.ts';
import { testsRestore } from '../../../shared/policy.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { SAMPLE_PASSPHRASE } from './sample-vault-content.ts';

const samples = fileURLToPath(new URL('./format-v1/', import.meta.url));
let root: string;
let engine: Engine;

beforeAll(() => {
  root = makeTempDir('labvault-compat-checks-');
  engine = new Engine({ face: 'cli', appHome: join(root, 'home') });
});

afterAll(async () => {
  await engine.close();
  removeDir(root);
});

describe('test restore on format version 1 vaults', () => {
  for (const kind of ['plain', 'encrypted'] as const) {
    it(`keeps the setting on for the ${kind} vault's policies and records a check of its point`, async () => {
      const dir = join(root, kind);
      cpSync(join(samples, kind), dir, { recursive: true });
      const vault = await engine.handlers.vaults.open({ path: dir });
      if (kind === 'encrypted') await engine.handlers.vaults.unlock({ name: vault.name, passphrase: SAMPLE_PASSPHRASE });
      const policies = await engine.handlers.policies.list({ vault: vault.name });
      expect(policies.length).toBeGreaterThan(0);
      for (const policy of policies) {
        expect(policy.body.testRestore).toBeUndefined();
        expect(testsRestore(policy.body as { testRestore?: boolean })).toBe(true);
      }
      const item = `${vault.name}/compat-vm`;
      const [point] = await engine.handlers.points.list({ item });
      expect(point?.testRestore).toBeUndefined();
      const check = await engine.handlers.files.testRestore({ item, point: point?.id as string });
      expect(check.status).toBe('not-readable');
      expect((await engine.handlers.points.list({ item }))[0]?.testRestore).toEqual(check);
      const records = join(dir, 'data', 'records', 'point-checks');
      const [file] = readdirSync(records);
      expect(file).toBe(`${(point?.id as string).replace('.', '_')}.json`);
      expect(readFileSync(join(records, file as string)).includes('not-readable')).toBe(kind === 'plain');
      await engine.handlers.vaults.rebuildCatalog({ name: vault.name });
      expect((await engine.handlers.points.list({ item }))[0]?.testRestore).toEqual(check);
    });
  }
});
