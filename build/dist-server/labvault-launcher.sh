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
# V8's compiled code of the bundle is kept between runs (Node's compile cache: 0.09 s instead of
# 0.13 s for `labvault --version` here), in the user's cache folder unless NODE_COMPILE_CACHE
# already says where; Node skips it silently when that folder cannot be written.
if [ -z "${NODE_COMPILE_CACHE:-}" ] && [ -n "${HOME:-}" ]; then
  NODE_COMPILE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/labvault/node-compile-cache
  export NODE_COMPILE_CACHE
fi
exec "$node" "$app/out/cli/labvault.mjs" "$@"
