/**
 * The shape every `labvault` command group implements. The entry point (labvault.ts)
 * parses argv, finds the group by its first word, and maps errors to exit codes:
 * 0 success, 2 invalid input (LabvaultError with a user code), 3 damage found
 * (check/verify), 1 anything else.
 */
export interface ParsedArgs {
  /** Words after the group name, flags removed: `image info FILE` -> ['info', 'FILE']. */
  positionals: string[];
  /**
   * `--name x` -> { name: 'x' }, `--json` -> { json: true }, repeated flags -> last wins;
   * `--no-open` -> { open: false }.
   */
  flags: Record<string, string | boolean>;
  /** Every value of a flag given more than once, in order: `--path a --path b` -> { path: ['a', 'b'] }. */
  repeated?: Record<string, string[]>;
}

export interface CliIo {
  /** Writes a line to stdout. With --json, print exactly one JSON document and nothing else. */
  out(text: string): void;
  /** Writes a line to stderr (messages, progress). */
  err(text: string): void;
  /** True when stderr is a terminal (show live progress). */
  readonly isTty: boolean;
  /** Environment (LABVAULT_HOME, LABVAULT_PASSPHRASE...). */
  readonly env: NodeJS.ProcessEnv;
}

export interface CliCommandGroup {
  /** First word: 'vault', 'image', 'policy'... */
  readonly name: string;
  /** Lines for `labvault help`. */
  readonly usage: string[];
  /** Returns the exit code. Throw LabvaultError for failures; the entry maps codes. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
