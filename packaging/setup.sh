#!/usr/bin/env bash
# Sets Sightline up on Debian 12, idempotently: installs the Debian packages it needs, builds it,
# installs the default model and fetches the demo video. Then, optionally:
#   --demo   launch the workstation on the demo video
#   --test   run the whole test suite (packaging/run-tests.sh)
# Other flags: --build-dir DIR (default ./build), --no-packages (skip apt), --jobs N.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build_dir="$root/build"
action=""
install_packages=1
jobs=$(nproc)

while [ $# -gt 0 ]; do
  case "$1" in
    --demo) action=demo ;;
    --test) action=test ;;
    --build-dir) build_dir=$(realpath -m "$2"); shift ;;
    --no-packages) install_packages=0 ;;
    --jobs) jobs="$2"; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "setup: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done

say() { printf '\n== %s\n' "$*"; }
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian packages: install only what is missing, so a second run does not touch apt.
if [ "$install_packages" = 1 ]; then
  mapfile -t wanted < <(sed -e 's/#.*//' -e '/^\s*$/d' "$here/debian-packages.txt")
  missing=()
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing ${#missing[@]} Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    sudo_if_needed apt-get update -q
    sudo_if_needed apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "Debian packages: all ${#wanted[@]} present"
  fi
fi

# 2. Build.
say "Building in $build_dir"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build_dir" -j "$jobs"

# 3. Demo video, detection test images and the default model.
"$here/fetch-demo.sh"
demo=$("$here/fetch-demo.sh" --print-path)
if ! "$here/fetch-test-images.sh"; then
  [ "$action" = test ] && { echo "setup: cannot fetch the detection test images" >&2; exit 1; }
  echo "setup: WARNING: detection test images not fetched (only the tests need them)" >&2
fi

# The default detector goes into the user's model store. CI (and a developer checkout) has a copy
# beside the project in ../shared/models: install that, validated by loading it; otherwise
# download upstream's file and check its SHA-256.
model_ok=1
shared_model="$root/../shared/models/yolox_nano.onnx"
if [ ! -x "$build_dir/sightline" ]; then
  echo "setup: $build_dir/sightline was not built; cannot install the default model" >&2
  model_ok=0
elif "$build_dir/sightline" models info yolox-nano >/dev/null 2>&1; then
  say "Model yolox-nano: installed"
elif [ -s "$shared_model" ]; then
  say "Installing model yolox-nano from $shared_model"
  "$build_dir/sightline" models install yolox-nano --from "$shared_model" || model_ok=0
else
  say "Downloading model yolox-nano"
  "$build_dir/sightline" models install yolox-nano || model_ok=0
fi
if [ "$model_ok" = 0 ]; then
  if [ "$action" = test ]; then
    echo "setup: FAILED to install the default model yolox-nano (see above); the tests need it" >&2
    exit 1
  fi
  echo "setup: WARNING: the default model yolox-nano is not installed (see above): detection" \
       "stays unavailable until 'sightline models install yolox-nano' succeeds" >&2
fi

case "$action" in
  demo)
    say "Launching the workstation on $demo, detection on"
    exec "$build_dir/sightline" --detect "$demo" ;;
  test)
    exec "$here/run-tests.sh" --build-dir "$build_dir" ;;
  *)
    # Kernel choices are measured in the background by the workstation (after its first boxes),
    # or at once by `sightline prepare` (about 15 minutes on a 2-core CPU device, once).
    say "Ready. Run: $build_dir/sightline --detect $demo"
    echo "   (optional, once: $build_dir/sightline prepare measures this device's kernels)" ;;
esac
