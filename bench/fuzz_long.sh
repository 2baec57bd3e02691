#!/usr/bin/env bash
# Long fuzzing session: every parser target for 10 minutes (or $1 seconds), the grown corpora kept
# so that inputs worth adding to tests/fuzz/corpus/ can be picked out (libFuzzer -merge=1 makes a
# minimal set). CI runs the same targets for 15 s each (packaging/run-tests.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
seconds="${1:-600}"
[ $# -gt 0 ] && shift
exec "$here/../packaging/fuzz.sh" --seconds "$seconds" --keep-corpus "$@"
