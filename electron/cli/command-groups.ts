/** Every `labvault` command group, in help order. */
import type { CliCommandGroup } from './cli-command.ts';
import { uiCommand } from './commands/ui.ts';
import { vaultCommand } from './commands/vault.ts';

export const commandGroups: CliCommandGroup[] = [
  vaultCommand,
  uiCommand,
];
