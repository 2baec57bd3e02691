#!/usr/bin/env bash
# Installs the peer engines that bench/ort_streams.mjs compares Sightline against: onnxruntime-node
# at the exact version pinned in bench/peers/package.json (transitive versions and integrity hashes
# in bench/peers/package-lock.json). Bench only, not CI: nothing in the build or the tests uses it.
#
# node_modules goes to the cache (about 300 MB, shared by all worktrees), never into the tree:
#   ${SIGHTLINE_BENCH_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline/bench-peers}
# npm runs with --ignore-scripts: onnxruntime-node's postinstall downloads CUDA providers from a
# NuGet feed that a bench machine may not reach; the CPU provider ships inside the npm tarball,
# and this script checks that it loads. Idempotent: an install whose lock matches is left alone.
#   --print-path   print where the peers are (or will be) and exit
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
spec="$here/bench/peers"
dest="${SIGHTLINE_BENCH_PEERS:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline/bench-peers}"

if [ "${1:-}" = "--print-path" ]; then echo "$dest"; exit 0; fi
if [ $# -gt 0 ]; then echo "usage: $0 [--print-path]" >&2; exit 2; fi

for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "fetch-bench-peers: '$tool' not found; install Node.js 18+ with npm" \
         "(Debian: apt-get install nodejs npm) and run this again" >&2
    exit 1
  fi
done

# The lock the cache was installed from; npm ci rewrites node_modules/.package-lock.json itself.
stamp="$dest/package-lock.json"
if [ -d "$dest/node_modules/onnxruntime-node" ] && cmp -s "$spec/package-lock.json" "$stamp" \
   && cmp -s "$spec/package.json" "$dest/package.json"; then
  echo "bench peers: $dest (cached, matches bench/peers/package-lock.json)"
else
  mkdir -p "$dest"
  cp "$spec/package.json" "$spec/package-lock.json" "$dest/"
  echo "bench peers: npm ci --ignore-scripts in $dest"
  (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund)
fi

# Load the CPU binding and open no model: proves the shipped native library works without the
# skipped postinstall, and prints the version the bench will report.
version=$(cd "$dest" && node -e '
  const ort = require("onnxruntime-node");
  process.stdout.write(ort.env.versions.node || "unknown");') || {
  echo "fetch-bench-peers: onnxruntime-node in $dest does not load (see above);" \
       "remove $dest and run this again" >&2
  exit 1
}
echo "bench peers: onnxruntime-node $version (CPU) ready"
