#!/usr/bin/env bash
# Fetches the demo video, vtest.avi (768x576, 795 frames, pedestrians and a car), from Debian's
# opencv-doc package: downloads the .deb with apt and extracts only that one file into the cache
# directory, without installing the 270 MB package. Idempotent.
#   --print-path   print where the video is (or will be) and exit
set -euo pipefail

cache="${XDG_CACHE_HOME:-$HOME/.cache}/sightline"
video="$cache/vtest.avi"
member="./usr/share/doc/opencv-doc/examples/data/vtest.avi"

if [ "${1:-}" = "--print-path" ]; then echo "$video"; exit 0; fi
if [ -s "$video" ]; then echo "demo video: $video (cached)"; exit 0; fi

mkdir -p "$cache"
work=$(mktemp -d)
chmod 755 "$work"   # apt downloads as the _apt user
trap 'rm -rf "$work"' EXIT
echo "demo video: downloading opencv-doc to extract vtest.avi"
(cd "$work" && apt-get download -q opencv-doc) || {
  # The package lists may be missing on a fresh machine; refresh them once and retry.
  if [ "$(id -u)" -eq 0 ]; then apt-get update -q; else sudo apt-get update -q; fi
  (cd "$work" && apt-get download -q opencv-doc)
}
deb=$(ls "$work"/opencv-doc_*.deb)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" "$member"
mv "$work/$member" "$video.tmp" && mv "$video.tmp" "$video"
echo "demo video: $video"
