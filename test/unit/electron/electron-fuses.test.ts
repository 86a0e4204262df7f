/**
 * The packaging config flips Electron's fuses (issue 10): no RunAsNode, no NODE_OPTIONS, no
 * --inspect, code only from an integrity-checked app.asar, encrypted cookies. Read with the
 * YAML parser electron-builder itself uses (js-yaml, its dependency), and every key checked
 * against electron-builder's own configuration schema so a misspelt fuse fails here.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const repo = fileURLToPath(new URL('../../../', import.meta.url));

interface BuilderConfig {
  asar?: unknown;
  electronFuses?: Record<string, unknown> | null;
}

function builderConfig(): BuilderConfig {
  return yaml.load(readFileSync(`${repo}build/electron-builder.yml`, 'utf8')) as BuilderConfig;
}

function fuseOptionNames(): string[] {
  const schemaPath = require.resolve('app-builder-lib/scheme.json', { paths: [require.resolve('electron-builder')] });
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { definitions: { FuseOptionsV1: { properties: Record<string, unknown> } } };
  return Object.keys(schema.definitions.FuseOptionsV1.properties);
}

describe('Electron fuses in build/electron-builder.yml', () => {
  it('turn off RunAsNode, NODE_OPTIONS and --inspect, and load only an integrity-checked app.asar', () => {
    const config = builderConfig();
    expect(config.asar).toBe(true);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('names only fuses electron-builder knows (a misspelt key would be silently ignored)', () => {
    const known = fuseOptionNames();
    expect(known).toContain('runAsNode');
    for (const key of Object.keys(builderConfig().electronFuses ?? {})) expect(known, key).toContain(key);
  });
});
