#!/usr/bin/env bash
# Makes a busybox root filesystem tarball from Debian's busybox-static, reproducibly:
#   make-rootfs.sh OUT.tar
# The tarball is what `kiln add` takes to build a base image from scratch (no registry needed).
set -euo pipefail
out="${1:?usage: make-rootfs.sh OUT.tar}"
bb=/bin/busybox
if [ ! -x "$bb" ] || ! "$bb" --list-full >/dev/null 2>&1; then
    echo "make-rootfs.sh: needs Debian's busybox-static (apt-get install busybox-static)" >&2
    exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/tmp,home}
cp "$bb" "$root/bin/busybox"
"$bb" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    ln -sf /bin/busybox "$root/$applet"
done
cat > "$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
www-data:x:33:33:www-data:/var/www:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$root/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
www-data:x:33:
users:x:100:
nogroup:x:65534:
GROUP
chmod 1777 "$root/tmp" "$root/var/tmp"
chmod 0700 "$root/root"
tar --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -C "$root" -cf "$out.tmp" .
mv "$out.tmp" "$out"
