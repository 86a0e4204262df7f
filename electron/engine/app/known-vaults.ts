/**
 * The list of vaults this app knows, kept in <app home>/known-vaults.json. Vaults are
 * self-contained; this list only remembers where they are.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from '../../../shared/zod-jitless.ts';
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import { writeJsonAtomic } from '../fs/atomic-file.ts';
import { ioError } from '../fs/io-error.ts';
import { KNOWN_VAULTS_FILE } from './app-home-files.ts';

const KnownVaultSchema = z.object({ id: z.string(), name: z.string(), path: z.string(), addedAt: z.string() });
const KnownVaultsFileSchema = z.object({ version: z.literal(1), vaults: z.array(KnownVaultSchema) });
export type KnownVault = z.infer<typeof KnownVaultSchema>;

export class KnownVaults {
  readonly file: string;

  constructor(appHome: string) {
    this.file = join(appHome, KNOWN_VAULTS_FILE);
  }

  async list(): Promise<KnownVault[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError(this.file, 'read', error);
    }
    try {
      return KnownVaultsFileSchema.parse(JSON.parse(text)).vaults;
    } catch {
      throw new LabvaultError(ErrorCodes.CORRUPT, `${this.file} is damaged. Move it aside and re-add your vaults with "labvault vault open DIR"; the vaults themselves are not affected.`, { details: { path: this.file } });
    }
  }

  async add(entry: KnownVault): Promise<void> {
    const vaults = (await this.list()).filter((vault) => vault.id !== entry.id);
    vaults.push(entry);
    await this.save(vaults);
  }

  async remove(id: string): Promise<void> {
    const vaults = (await this.list()).filter((vault) => vault.id !== id);
    await this.save(vaults);
  }

  private async save(vaults: KnownVault[]): Promise<void> {
    await writeJsonAtomic(this.file, { version: 1, vaults });
  }
}
