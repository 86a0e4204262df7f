/**
 * Vaults written by format version 1 (committed under format-v1/, made by
 * make-sample-vaults.ts) must keep opening, verifying and restoring bit-exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../../electron/engine/engine.ts';
import { makeTempDir, removeDir } from '../../support/disk-fixtures.ts';
import { SAMPLE_PASSPHRASE, sampleFiles, sha256 } from './sample-vault-content.ts';

const samples = fileURLToPath(new URL('./format-v1/', import.meta.url));
let root: string;
let engine: Engine;

beforeAll(() => {
  root = makeTempDir('labvault-compat-');
  engine = new Engine({ face: 'cli', appHome: join(root, 'home') });
});

afterAll(async () => {
  await engine.close();
  removeDir(root);
});

describe('format version 1 sample vaults', () => {
  for (const kind of ['plain', 'encrypted'] as const) {
    it(`opens, verifies and restores the ${kind} vault bit-exact`, async () => {
      const dir = join(root, kind);
      cpSync(join(samples, kind), dir, { recursive: true });
      const vault = await engine.handlers.vaults.open({ path: dir });
      expect(vault.formatVersion).toBe(1);
      expect(vault.encrypted).toBe(kind === 'encrypted');
      if (kind === 'encrypted') {
        expect(vault.locked).toBe(true);
        await engine.handlers.vaults.unlock({ name: vault.name, passphrase: SAMPLE_PASSPHRASE });
      }
      const items = await engine.handlers.items.list({ vault: vault.name });
      expect(items.map((item) => item.name)).toEqual(['compat-vm']);
      const points = await engine.handlers.points.list({ item: `${vault.name}/compat-vm` });
      expect(points).toHaveLength(1);
      expect((await engine.handlers.vaults.verify({ name: vault.name, readData: true })).ok).toBe(true);
      const out = join(root, `${kind}-restored`);
      const { jobId } = await engine.handlers.restore.disks({ item: `${vault.name}/compat-vm`, point: (points[0] as { id: string }).id, to: out });
      const job = await engine.jobs.runningJob(jobId)?.done;
      expect(job?.status, JSON.stringify(job?.error)).toBe('completed');
      for (const file of sampleFiles()) expect(sha256(readFileSync(join(out, file.name)))).toBe(sha256(file.data));
    });
  }
});
