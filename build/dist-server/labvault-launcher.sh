#!/bin/sh
# labvault: Labvault's command line on the Node.js runtime bundled with this package; the
# machine's own node (if any) is never used. Installed as <prefix>/bin/labvault beside
# <prefix>/lib/labvault/ (/usr in the .deb, the unpacked folder for the tarball), and found
# from its own location, also through symlinks (e.g. /usr/local/bin/labvault -> it).
self=$0
hops=0
while [ -L "$self" ] && [ "$hops" -lt 40 ]; do
  target=$(readlink "$self")
  case $target in
    /*) self=$target ;;
    *) self=$(dirname "$self")/$target ;;
  esac
  hops=$((hops + 1))
done
bindir=$(cd "$(dirname "$self")" && pwd -P) || exit 1
app=$(dirname "$bindir")/lib/labvault
node=$app/runtime/node
if [ ! -x "$node" ]; then
  echo "labvault: the bundled Node.js runtime $node is missing; reinstall the labvault package." >&2
  exit 1
fi
# `labvault service install-instructions` writes this path into the unit it prints.
LABVAULT_LAUNCHER=$bindir/$(basename "$self")
export LABVAULT_LAUNCHER
exec "$node" "$app/out/cli/labvault.mjs" "$@"
