#!/usr/bin/env bash
# Builds the parsers' libFuzzer targets (CMake preset `fuzz`: clang 14, ASan + UBSan, only
# tests/fuzz) and runs each for a fixed time on a fresh copy of its seed corpus
# (tests/fuzz/corpus/<target minus fuzz_>/), so the repository is never written. Fails when any
# target crashes, leaks, runs out of memory or hangs, and prints the input that did it.
#   --seconds N      run time per target (default 20; bench/fuzz_long.sh runs 10 minutes)
#   --rss-limit MB   memory limit per target (default 2048)
#   --build-dir DIR  default ./build-fuzz
#   --keep-corpus    leave the grown corpora in the temp folder (printed) for a later run
#   --jobs N         build jobs (default nproc)
#   NAME...          run only these targets (fuzz_npy or npy)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build_dir="$root/build-fuzz"
seconds=20
rss_limit=2048
keep=0
jobs=$(nproc)
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --rss-limit) rss_limit="$2"; shift ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift ;;
    --keep-corpus) keep=1 ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "fuzz: unknown argument '$1'" >&2; exit 2 ;;
    *) only+=("fuzz_${1#fuzz_}") ;;
  esac
  shift
done

printf '\n== Fuzz build (%s)\n' "$build_dir"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache
                                          -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
(cd "$root" && cmake --preset fuzz -B "$build_dir" "${launcher[@]}" >/dev/null)
cmake --build "$build_dir" -j "$jobs"

mapfile -t targets < <(sed '/^$/d' "$build_dir/fuzz-targets.txt")
[ ${#only[@]} -gt 0 ] && targets=("${only[@]}")
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in $build_dir/fuzz-targets.txt" >&2; exit 1; }

work=$(mktemp -d /tmp/sightline-fuzz.XXXXXX)
failed=()
for t in "${targets[@]}"; do
  exe="$build_dir/tests/fuzz/$t"
  [ -x "$exe" ] || { echo "fuzz: no target $t ($exe)" >&2; failed+=("$t"); continue; }
  seeds="$root/tests/fuzz/corpus/${t#fuzz_}"
  dir="$work/$t"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  if [ -d "$seeds" ]; then
    cp -R "$seeds/." "$dir/corpus/"
  else
    echo "fuzz: WARNING: $t has no seed corpus ($seeds); starting from nothing" >&2
  fi
  printf '\n== %s: %s s on %s seeds\n' "$t" "$seconds" "$(find "$dir/corpus" -type f | wc -l)"
  # -timeout: one input taking 10 s is a hang. Leaks count (ASan's LeakSanitizer at exit).
  rc=0
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$exe" "$dir/corpus" -max_total_time="$seconds" -rss_limit_mb="$rss_limit" -timeout=10 \
      -artifact_prefix="$dir/artifacts/" -print_final_stats=1 >"$dir/log" 2>&1 || rc=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$dir/log" || true
  if [ "$rc" != 0 ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $rc); the end of its log ($dir/log):" >&2
    tail -n 40 "$dir/log" >&2
    for a in "$dir"/artifacts/*; do
      [ -e "$a" ] && echo "fuzz: $t: input that failed: $a (rerun: $exe $a)" >&2
    done
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} of ${#targets[@]} targets failed: ${failed[*]} (kept $work)" >&2
  exit 1
fi
if [ "$keep" = 1 ]; then
  echo "fuzz: all ${#targets[@]} targets clean; grown corpora in $work/<target>/corpus"
else
  rm -rf "$work"
  echo "fuzz: all ${#targets[@]} targets clean (${seconds} s each)"
fi
