REM Labvault scheduled backups at logon (Windows Task Scheduler). Run once in a command prompt:
REM ("labvault service install-instructions" prints this with the full paths of your installation)
schtasks /Create /TN "Labvault scheduler" /SC ONLOGON /RL LIMITED /F /TR "cmd /c labvault service run"
REM Start it now without logging off: schtasks /Run /TN "Labvault scheduler"
REM Remove it: schtasks /Delete /TN "Labvault scheduler" /F
