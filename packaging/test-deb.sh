#!/usr/bin/env bash
# The Debian package's test (ctest: packaging.deb): build it, no lintian errors, the desktop file
# and the AppStream metainfo validate, the files a desktop needs are in it, and a copy unpacked into
# an empty root (dpkg-deb -x, nothing from the source tree) runs --version, probe and detect.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_dir=$(realpath -m "${1:?usage: test-deb.sh BUILD_DIR}")
image="${XDG_CACHE_HOME:-$HOME/.cache}/sightline/test-images/dog.jpg"
fail() { echo "test-deb: $*" >&2; exit 1; }

deb=$("$here/build-deb.sh" "$build_dir")
echo "package: $deb ($(du -h "$deb" | cut -f1))"
version=$(dpkg-deb -f "$deb" Version)
[ "$(dpkg-deb -f "$deb" Package)" = sightline ] || fail "package name"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libavcodec libqt6widgets6 ocl-icd-libopencl1 libsqlite3; do
  grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib (shlibdeps did not run?)"
done
grep -q pocl-opencl-icd <<<"$(dpkg-deb -f "$deb" Recommends)" || fail "pocl not recommended"

# Lintian: errors fail (warnings are printed). Root is fine here: it only reads the file.
lintian --fail-on error --allow-root --tag-display-limit 0 "$deb"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb -x "$deb" "$root"
for f in usr/bin/sightline usr/share/applications/sightline.desktop \
         usr/share/metainfo/org.sightline.Sightline.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/sightline.svg \
         usr/share/icons/hicolor/48x48/apps/sightline.png \
         usr/share/icons/hicolor/256x256/apps/sightline.png \
         usr/share/man/man1/sightline.1.gz usr/share/doc/sightline/copyright \
         usr/share/doc/sightline/changelog.gz; do
  [ -s "$root/$f" ] || fail "the package lacks /$f"
done
desktop-file-validate "$root/usr/share/applications/sightline.desktop"
appstreamcli validate --no-net --explain "$root/usr/share/metainfo/org.sightline.Sightline.metainfo.xml"
zcat "$root/usr/share/man/man1/sightline.1.gz" | grep -q '^\.TH SIGHTLINE 1' || fail "man page"

# The unpacked copy, run from a directory that is not the source tree.
exe="$root/usr/bin/sightline"
cd "$root"
out=$("$exe" --version)
[ "$out" = "sightline $version" ] || fail "--version says '$out', the package is $version"
"$exe" probe >/dev/null || fail "probe failed"
[ -s "$image" ] || fail "missing $image (packaging/fetch-test-images.sh)"
det=$("$exe" detect "$image" --json) || fail "detect failed"
grep -q '"label": *"dog"' <<<"$det" || fail "detect found no dog in dog.jpg: $det"
echo "test-deb: $deb passes (lintian, desktop-file-validate, appstreamcli, unpacked run)"
