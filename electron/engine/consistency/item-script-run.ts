/**
 * The pre- and post-backup scripts of one backup: the pre-script runs before anything is
 * captured (its failure fails the job with its exit code and stderr tail, and nothing is
 * captured); the post-script runs once the capture is taken, and always once a pre-script
 * ran or was due (its failure is a warning on the job, the point is kept).
 */
import { ErrorCodes, LabvaultError } from '../../../shared/errors.ts';
import type { ItemScripts } from '../../../shared/contract/item-models.ts';
import { runBackupScript, type ScriptOutcome, type ScriptPhase } from './backup-scripts.ts';

export interface ScriptContext {
  item: string;
  vmConfig: string;
  env: NodeJS.ProcessEnv;
}

export class ItemScriptRun {
  private readonly scripts: ItemScripts | undefined;
  private readonly context: ScriptContext;
  private preOutcome: ScriptOutcome | null = null;
  private postOutcome: ScriptOutcome | null = null;
  private postDone = false;

  constructor(scripts: ItemScripts | undefined, context: ScriptContext) {
    this.scripts = scripts;
    this.context = context;
  }

  get configured(): boolean {
    return this.scripts !== undefined && (this.scripts.pre !== undefined || this.scripts.post !== undefined);
  }

  /** Every configured script ran and succeeded. */
  get succeeded(): boolean {
    if (!this.configured) return false;
    return (this.scripts?.pre === undefined || this.preOutcome?.ok === true)
      && (this.scripts?.post === undefined || this.postOutcome?.ok === true);
  }

  /** What the point records of them. */
  outcomes(): { pre?: string; post?: string } | undefined {
    if (!this.configured) return undefined;
    return {
      ...(this.preOutcome ? { pre: this.preOutcome.summary.slice(0, 2000) } : {}),
      ...(this.postOutcome ? { post: this.postOutcome.summary.slice(0, 2000) } : {}),
    };
  }

  /** Runs the pre-script; on failure runs the post-script too, then throws SCRIPT_FAILED. */
  async pre(): Promise<void> {
    const path = this.scripts?.pre;
    if (path === undefined) return;
    this.preOutcome = await this.run(path, 'pre');
    if (this.preOutcome.ok) return;
    const warning = await this.post();
    const outcome = this.preOutcome;
    throw new LabvaultError(ErrorCodes.SCRIPT_FAILED,
      `The ${outcome.summary}. Nothing was captured.${warning ? ` ${warning}` : ''}`,
      {
        details: { script: path, exitCode: outcome.exitCode, timedOut: outcome.timedOut, stderr: outcome.stderrTail },
      });
  }

  /** Runs the post-script once; returns a warning line when it failed, else null. */
  async post(): Promise<string | null> {
    const path = this.scripts?.post;
    if (path === undefined || this.postDone) return null;
    this.postDone = true;
    this.postOutcome = await this.run(path, 'post');
    return this.postOutcome.ok ? null : `Warning: the ${this.postOutcome.summary}.`;
  }

  private run(path: string, phase: ScriptPhase): Promise<ScriptOutcome> {
    return runBackupScript({
      path, phase, timeoutSec: this.scripts?.timeoutSec ?? 300,
      item: this.context.item, vmConfig: this.context.vmConfig, env: this.context.env,
    });
  }
}
