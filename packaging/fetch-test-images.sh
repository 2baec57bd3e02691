#!/usr/bin/env bash
# Fetches the detection test images (dog.jpg, person.jpg, horses.jpg, giraffe.jpg) from Debian's
# darknet package:
# downloads the .deb with apt and extracts only those files into the cache directory, without
# installing darknet (which would pull OpenCV's runtime libraries). Idempotent. The tests look for
# them in $SIGHTLINE_TEST_IMAGES, else $XDG_CACHE_HOME/sightline/test-images (~/.cache/...), and
# FAIL (never skip) when they are missing.
#   --print-path   print the directory where the images are (or will be) and exit
set -euo pipefail

dir="${SIGHTLINE_TEST_IMAGES:-${XDG_CACHE_HOME:-$HOME/.cache}/sightline/test-images}"
images=(dog.jpg person.jpg horses.jpg giraffe.jpg)

if [ "${1:-}" = "--print-path" ]; then echo "$dir"; exit 0; fi
have_all=1
for i in "${images[@]}"; do [ -s "$dir/$i" ] || have_all=0; done
if [ "$have_all" = 1 ]; then echo "test images: $dir (cached)"; exit 0; fi

mkdir -p "$dir"
work=$(mktemp -d)
chmod 755 "$work"   # apt downloads as the _apt user
trap 'rm -rf "$work"' EXIT
echo "test images: downloading darknet to extract ${images[*]}"
(cd "$work" && apt-get download -q darknet) || {
  # The package lists may be missing on a fresh machine; refresh them once and retry.
  if [ "$(id -u)" -eq 0 ]; then apt-get update -q; else sudo apt-get update -q; fi
  (cd "$work" && apt-get download -q darknet)
}
deb=$(ls "$work"/darknet_*.deb)
members=()
for i in "${images[@]}"; do members+=("./usr/share/darknet/data/$i"); done
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "${members[@]}"
for i in "${images[@]}"; do
  mv "$work/usr/share/darknet/data/$i" "$dir/$i.tmp" && mv "$dir/$i.tmp" "$dir/$i"
done
echo "test images: $dir"
