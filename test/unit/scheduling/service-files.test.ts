/** build/service/ holds exactly what the templates make for an installed labvault. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { installedServiceFiles, launchdPlist, systemdUnit, windowsTaskCommand } from '../../../electron/cli/commands/service-templates.ts';

describe('service files', () => {
  it('are in sync with the templates', () => {
    for (const [name, text] of Object.entries(installedServiceFiles())) {
      expect(readFileSync(new URL(`../../../build/service/${name}`, import.meta.url), 'utf8'), name).toBe(text);
    }
  });

  it('quote paths with spaces for each system', () => {
    const command = { argv: ['/opt/My Apps/node', '/opt/My Apps/bin.mjs', 'service', 'run'], home: '/home/a b/.labvault' };
    expect(systemdUnit(command)).toContain('ExecStart="/opt/My Apps/node" "/opt/My Apps/bin.mjs" service run');
    expect(systemdUnit(command)).toContain('Environment=LABVAULT_HOME="/home/a b/.labvault"');
    expect(launchdPlist({ argv: ['/a&b/node'] })).toContain('<string>/a&amp;b/node</string>');
    expect(windowsTaskCommand({ argv: ['C:\\Program Files\\node.exe', 'x.mjs'] })).toContain('/TR "\\"C:\\Program Files\\node.exe\\" x.mjs"');
  });
});
