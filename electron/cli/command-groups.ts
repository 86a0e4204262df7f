/** Every `labvault` command group, in help order. */
import type { CliCommandGroup } from './cli-command.ts';
import { backupCommand, protectCommand } from './commands/backup.ts';
import { filesCommand } from './commands/files.ts';
import { imageCommand } from './commands/image.ts';
import { itemCommand, itemsCommand, protectionCommand } from './commands/items.ts';
import { jobsCommand } from './commands/jobs.ts';
import { pointsCommand } from './commands/points.ts';
import { policyCommand } from './commands/policy.ts';
import { pruneCommand } from './commands/prune.ts';
import { gcCommand } from './commands/gc.ts';
import { serviceCommand } from './commands/service.ts';
import { restoreCommand } from './commands/restore.ts';
import { uiCommand } from './commands/ui.ts';
import { vaultCommand } from './commands/vault.ts';
import { verifyCommand } from './commands/verify.ts';
import { vmCommand } from './commands/vm.ts';

export const commandGroups: CliCommandGroup[] = [
  vaultCommand,
  protectCommand,
  backupCommand,
  jobsCommand,
  pointsCommand,
  restoreCommand,
  filesCommand,
  verifyCommand,
  itemsCommand,
  itemCommand,
  protectionCommand,
  vmCommand,
  imageCommand,
  uiCommand,
  policyCommand,
  pruneCommand,
  gcCommand,
  serviceCommand,
];
