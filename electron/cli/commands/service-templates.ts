/**
 * How to start `labvault service run` at login on each system: a systemd user unit
 * (Linux), a launchd agent (macOS), a Task Scheduler command (Windows). The same texts,
 * written for a `labvault` on the PATH, are kept in build/service/ (see README.md,
 * "Running backups without the window").
 */
export const SYSTEMD_UNIT_NAME = 'labvault-scheduler.service';
export const LAUNCHD_LABEL = 'org.labvault.scheduler';
export const LAUNCHD_PLIST_NAME = `${LAUNCHD_LABEL}.plist`;
export const WINDOWS_TASK_NAME = 'Labvault scheduler';
export const WINDOWS_SCRIPT_NAME = 'labvault-scheduler-task.cmd';

export interface ServiceCommand {
  /** The program and arguments that run `labvault service run`. */
  argv: string[];
  /** LABVAULT_HOME to pass on, when set. */
  home?: string | undefined;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `"${word.replace(/(["\\$`])/g, '\\$1')}"`;
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function windowsQuote(word: string): string {
  return /^[A-Za-z0-9_.:\\/=@+-]+$/.test(word) ? word : `\\"${word}\\"`;
}

export function systemdUnit(command: ServiceCommand): string {
  return [
    '# Labvault scheduled backups, started at login (systemd user unit).',
    '# "labvault service install-instructions" prints this with the full paths of your installation.',
    `# Install: copy to ~/.config/systemd/user/${SYSTEMD_UNIT_NAME}, then`,
    `#   systemctl --user daemon-reload && systemctl --user enable --now ${SYSTEMD_UNIT_NAME}`,
    '# To keep it running while you are logged out: loginctl enable-linger "$USER"',
    '[Unit]',
    'Description=Labvault scheduled backups',
    'After=default.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${command.argv.map(shellQuote).join(' ')}`,
    ...(command.home ? [`Environment=LABVAULT_HOME=${shellQuote(command.home)}`] : []),
    'Restart=on-failure',
    'RestartSec=30',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=300',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

export function launchdPlist(command: ServiceCommand): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<!-- "labvault service install-instructions" prints this with the full paths of your installation. -->',
    `<!-- Labvault scheduled backups at login. Install: copy to ~/Library/LaunchAgents/${LAUNCHD_PLIST_NAME}, then`,
    `     launchctl bootstrap gui/$(id -u) ~/Library/LaunchAgents/${LAUNCHD_PLIST_NAME} -->`,
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key><string>${LAUNCHD_LABEL}</string>`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...command.argv.map((word) => `    <string>${xmlEscape(word)}</string>`),
    '  </array>',
    ...(command.home ? ['  <key>EnvironmentVariables</key>', '  <dict>', `    <key>LABVAULT_HOME</key><string>${xmlEscape(command.home)}</string>`, '  </dict>'] : []),
    '  <key>RunAtLoad</key><true/>',
    '  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>',
    '  <key>StandardErrorPath</key><string>/tmp/labvault-scheduler.log</string>',
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}

export function windowsTaskCommand(command: ServiceCommand): string {
  const run = command.argv.map(windowsQuote).join(' ');
  return [
    'REM Labvault scheduled backups at logon (Windows Task Scheduler). Run once in a command prompt:',
    'REM ("labvault service install-instructions" prints this with the full paths of your installation)',
    ...(command.home ? [`setx LABVAULT_HOME "${command.home}"`] : []),
    `schtasks /Create /TN "${WINDOWS_TASK_NAME}" /SC ONLOGON /RL LIMITED /F /TR "${run}"`,
    `REM Start it now without logging off: schtasks /Run /TN "${WINDOWS_TASK_NAME}"`,
    `REM Remove it: schtasks /Delete /TN "${WINDOWS_TASK_NAME}" /F`,
    '',
  ].join('\r\n');
}

/**
 * The commands build/service/ holds, for an installed `labvault` (npm -g): launchd does
 * not search /usr/local/bin and Task Scheduler does not run .cmd shims by name, hence the
 * absolute path and `cmd /c`. Adjust the path to `command -v labvault` if it differs.
 */
export const INSTALLED_COMMANDS: { unix: ServiceCommand; windows: ServiceCommand } = {
  unix: { argv: ['/usr/local/bin/labvault', 'service', 'run'] },
  windows: { argv: ['cmd', '/c', 'labvault', 'service', 'run'] },
};

/** The files of build/service/: name -> text. */
export function installedServiceFiles(): Record<string, string> {
  return {
    [SYSTEMD_UNIT_NAME]: systemdUnit(INSTALLED_COMMANDS.unix),
    [LAUNCHD_PLIST_NAME]: launchdPlist(INSTALLED_COMMANDS.unix),
    [WINDOWS_SCRIPT_NAME]: windowsTaskCommand(INSTALLED_COMMANDS.windows),
  };
}
