#!/usr/bin/env bash
# kiln's main job on a bundled example, by hand, the way the Buildah chapter does it:
#   1. a busybox base image from scratch (a rootfs tarball from Debian's busybox-static, added as a layer)
#   2. an app image on top: mount, copy a file in, unmount, set the command, diff, commit
#   3. run it with kiln (runc), export it to an OCI archive, and run that with buildah when installed
# Run as root (mounts need it). KILN_ROOT picks the store (default: a store under /tmp for the demo).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
repo="$(dirname "$here")"
"$repo/scripts/install-deps" --run
root="${KILN_ROOT:-/tmp/kiln-quickstart/store}"
kiln() { "$repo/kiln" --root "$root" "$@"; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== a busybox base image, from scratch"
"$repo/examples/busybox/make-rootfs.sh" "$work/rootfs.tar"
ctr=$(kiln from --name quickstart-base scratch)
kiln add "$ctr" "$work/rootfs.tar" /
kiln config --cmd /bin/sh "$ctr"
kiln commit --rm "$ctr" quickstart/busybox

echo "== an app image on top of it"
ctr=$(kiln from quickstart/busybox)
mnt=$(kiln mount "$ctr")
cp "$here/hello/hello.txt" "$mnt/hello.txt"
kiln umount "$ctr"
kiln config --cmd 'cat /hello.txt' --label org.opencontainers.image.title=hello "$ctr"
echo "-- kiln diff $ctr"
kiln diff "$ctr"
kiln commit "$ctr" quickstart/hello
kiln rm "$ctr" >/dev/null
kiln images

echo "== run by kiln (runc)"
ctr=$(kiln from quickstart/hello)
kiln run "$ctr" -- sh -c 'cat /hello.txt'
kiln rm "$ctr" >/dev/null

echo "== exported to oci-archive:/tmp/kiln-quickstart/hello.tar"
kiln push quickstart/hello oci-archive:/tmp/kiln-quickstart/hello.tar:quickstart/hello
if command -v buildah >/dev/null && command -v runc >/dev/null; then
    echo "== run by buildah (runc), from the archive kiln wrote"
    b=$(buildah from --quiet oci-archive:/tmp/kiln-quickstart/hello.tar:quickstart/hello)
    buildah run --runtime runc "$b" -- sh -c 'cat /hello.txt'
    buildah rm "$b" >/dev/null
fi
