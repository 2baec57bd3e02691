#!/usr/bin/env bash
# Builds sightline_VERSION_amd64.deb from a configured and built tree (default ./build) with CPack
# and prints its path. Install it with: apt install ./build/sightline_VERSION_amd64.deb
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=$(realpath -m "${1:-$here/../build}")
[ -f "$build_dir/CPackConfig.cmake" ] || {
  echo "build-deb: $build_dir is not a configured Sightline build (run packaging/setup.sh)" >&2
  exit 1
}
cmake --build "$build_dir" --target sightline package_files >&2
(cd "$build_dir" && cpack -G DEB -C RelWithDebInfo >&2)
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build_dir/CPackConfig.cmake")
deb="$build_dir/sightline_${version}_$(dpkg --print-architecture).deb"
[ -s "$deb" ] || { echo "build-deb: cpack made no $deb" >&2; exit 1; }
echo "$deb"
