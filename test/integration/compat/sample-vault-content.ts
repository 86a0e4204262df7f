/** The VM files stored in the compat sample vaults (deterministic, so restores can be checked). */
import { createHash } from 'node:crypto';
import { deterministicBytes } from '../../support/disk-fixtures.ts';

export const SAMPLE_PASSPHRASE = 'labvault-compat-v1';

export function sampleFiles(): { name: string; data: Buffer }[] {
  const disk = Buffer.alloc(3 * 1024 * 1024 + 123);
  deterministicBytes(48 * 1024, 4242).copy(disk, 0);
  disk.write('Labvault format v1 sample disk\n'.repeat(2000), 1024 * 1024);
  deterministicBytes(8 * 1024, 77).copy(disk, 3 * 1024 * 1024 - 1000);
  const config = Buffer.from('<domain type="kvm"><name>compat-vm</name><memory>1024</memory></domain>\n');
  return [{ name: 'compat-vm.xml', data: config }, { name: 'compat-disk.raw', data: disk }];
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
