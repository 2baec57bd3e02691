#!/usr/bin/env bash
# Streams held in real time, Sightline beside ONNX Runtime on the same machine in the same run:
# bench_streams (every-frame and adaptive detection) and bench/ort_streams.mjs (onnxruntime-node,
# every-frame), each sweeping N up from 1 while every source keeps >= 99% of its frames processed
# with p95 latency <= 200 ms. Prints the largest N of each and the ratios. Run on an idle machine
# (it takes a few minutes per N); packaging/fetch-bench-peers.sh installs the peer first.
#   bench/streams_vs_ort.sh [BUILD_DIR] [--seconds S] [--warmup W] [--video PATH]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-$here/../build}
shift || true
seconds=15 warmup=5 video=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --video) video=$2; shift 2 ;;
    *) echo "usage: $0 [BUILD_DIR] [--seconds S] [--warmup W] [--video PATH]" >&2; exit 2 ;;
  esac
done
"$here/../packaging/fetch-bench-peers.sh" >&2
vid_args=(); [ -n "$video" ] && vid_args=(--video "$video")
echo "== onnxruntime-node, every frame" >&2
ort=$(node "$here/ort_streams.mjs" --sweep --json --seconds "$seconds" --warmup "$warmup" \
      "${vid_args[@]}" | tee >(cat >&2) | python3 -c '
import json, sys
best = 0
for line in sys.stdin:
    o = json.loads(line)
    if o.get("holds"): best = max(best, o["streams"])
print(best)')
echo "== sightline, every frame then adaptive" >&2
sl=$(SIGHTLINE_LOG=warning "$build/bench/bench_streams" --json --seconds "$seconds" \
     --warmup "$warmup" "${vid_args[@]}" | tee >(cat >&2) | python3 -c '
import json, sys
for line in sys.stdin:
    if not line.startswith("{"): continue
    o = json.loads(line)
    if o.get("summary"): print(o["every"], o["adaptive"], o["adaptive_with_recall"])')
read -r every adaptive adaptive_recall <<<"$sl"
ratio() { python3 -c "import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); print(f'{a / b:.2f}x' if b else 'inf (ORT held none)')" "$1" "$2"; }
printf '\nstreams held: onnxruntime-node %d | sightline every frame %d (%s) | adaptive %d (%s), with >= 95%% recall %d (%s)\n' \
  "$ort" "$every" "$(ratio "$every" "$ort")" "$adaptive" "$(ratio "$adaptive" "$ort")" \
  "$adaptive_recall" "$(ratio "$adaptive_recall" "$ort")"
