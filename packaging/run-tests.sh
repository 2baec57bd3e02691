#!/usr/bin/env bash
# Runs the whole test suite: the engine's bad-input tests once more under AddressSanitizer and
# UndefinedBehaviorSanitizer, the parsers' libFuzzer targets for 15 s each (packaging/fuzz.sh),
# then every test in one ctest run, under an Xvfb display this script starts (CI has no display).
# Called by packaging/setup.sh --test, which builds first. --no-fuzz skips the fuzzers.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build_dir="$root/build"
asan=1
fuzz=1
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$(realpath -m "$2"); shift ;;
    --no-asan) asan=0 ;;
    --no-fuzz) fuzz=0 ;;
    *) echo "run-tests: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

# The default detector is test data the project must not ship; CI provides it beside the checkout.
model="$root/../shared/models/yolox_nano.onnx"
if [ ! -s "$model" ]; then
  echo "run-tests: missing $model (the default detector the tests need)" >&2
  exit 1
fi

# Inputs of the detection tests (they fail, never skip, without them): the demo video and the
# darknet photographs, both extracted from Debian packages into the cache.
"$here/fetch-demo.sh" || { echo "run-tests: cannot fetch the demo video" >&2; exit 1; }
"$here/fetch-test-images.sh" || { echo "run-tests: cannot fetch the test images" >&2; exit 1; }

if [ "$asan" = 1 ]; then
  printf '\n== Bad-input tests and source add / remove cycles under AddressSanitizer\n'
  # The scheduler and the 50 add / remove cycles of live sources run here too (issue 12): a
  # frame, queue or thread a removed source leaves behind is a leak report.
  asan_filter='BadInput*:*Corrupt*:Scheduler.*:SourcePipelineTest.CyclesFifty*'
  cmake -S "$root" -B "$build_dir-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSL_ASAN=ON \
        -DSL_BUILD_GUI=OFF -DSL_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build_dir-asan" -j "$(nproc)" --target engine_tests
  # Twice. First with the OpenCL driver's kernel caches possibly cold: PoCL 3.1 and its LLVM 15
  # leak driver-internal objects on every program build (pass managers, target info; the stacks
  # end in libpocl / libLLVM), so those are suppressed in this run only; anything our code
  # allocates is still reported. Then with the caches warm (nothing is compiled) and no
  # suppression, so a CL object we fail to release, allocated inside the driver, is caught too.
  LSAN_OPTIONS="suppressions=$here/lsan-opencl-driver.supp" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    "$build_dir-asan/tests/engine_tests" --gtest_filter="$asan_filter" --gtest_brief=1
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    "$build_dir-asan/tests/engine_tests" --gtest_filter="$asan_filter" --gtest_brief=1
fi

# The parsers under libFuzzer: a separate clang build of only the parsers (<build>-fuzz, about 30 s
# from scratch on two cores), then 15 s per target: a short regression run on the seeds and
# whatever the fuzzer reaches from them; bench/fuzz_long.sh is the long session.
if [ "$fuzz" = 1 ]; then
  "$here/fuzz.sh" --seconds 15 --build-dir "$build_dir-fuzz"
fi

# An X server for the GUI tests (Qt's GL needs one on Mesa: see ../shared/DESIGN.md).
display_num=99
while [ -e "/tmp/.X11-unix/X$display_num" ] || [ -e "/tmp/.X$display_num-lock" ]; do
  display_num=$((display_num + 1))
done
Xvfb ":$display_num" -screen 0 1920x1080x24 -nolisten tcp >/tmp/sightline-xvfb.log 2>&1 &
xvfb_pid=$!
trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display_num" ] && break; sleep 0.1; done
export DISPLAY=":$display_num"
export QT_QPA_PLATFORM=xcb

# Kernel tuning off: with tuning on, every session a test creates on a new machine measures a
# layer class (up to 10 s of candidate builds with cold driver caches), dozens of sessions in
# all. The tests check the kernels' results (each tuning variant is run directly by
# NnOpConv.TuningVariants); the tuner's own tests switch it back on.
export SIGHTLINE_KERNEL_TUNING=off
printf '\n== Test suite (ctest, DISPLAY=%s)\n' "$DISPLAY"
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 600
