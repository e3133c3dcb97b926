#!/usr/bin/env bash
# guest/chroot.sh — make (once) and cache what the real-guest harness runs on:
#
#   CACHE/trixie/        a Debian trixie chroot (debootstrap --variant=minbase) with
#                        qemu-system-x86 11.1 from trixie-backports (the first QEMU Debian ships
#                        with a vfio-user client), pciutils and busybox-static
#   CACHE/trixie/vcap-boot/vmlinuz   Debian's stock trixie guest kernel (linux-image-amd64, unpacked with
#                        dpkg-deb -x; nothing is installed)
#   CACHE/trixie/vcap-boot/initrd    a busybox initramfs carrying guest/init.sh and the guest's lspci and
#                        setpci with the libraries they need
#
# CACHE is $VCAP_GUEST_CACHE, default /var/cache/vcap-guest. Each piece is rebuilt only when it
# is missing (or when this script or init.sh is newer than the initramfs); `--rebuild` starts over.
# The mirror is the one this machine's apt sources name (/etc/apt/sources.list.d/debian.sources,
# else /etc/apt/sources.list). Needs root (debootstrap, chroot, bind mounts, all undone on exit).
#
# Prints the cache directory on stdout; progress goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${VCAP_GUEST_CACHE:-/var/cache/vcap-guest}"
root="$cache/trixie"
boot="$root/vcap-boot"
log() { echo "guest/chroot.sh: $*" >&2; }
die() { log "$*"; exit 1; }

[[ "${1:-}" == --rebuild ]] && { log "removing $cache"; rm -rf "$cache"; }
[[ "$(id -u)" == 0 ]] || die "needs root (debootstrap and chroot)"

mirror() {
    local m=""
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        m="$(awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
    fi
    if [[ -z "$m" && -f /etc/apt/sources.list ]]; then
        m="$(awk '/^deb / && $2 !~ /security/ {print $2; exit}' /etc/apt/sources.list)"
    fi
    [[ -n "$m" ]] || die "no Debian mirror in this machine's apt sources"
    echo "$m"
}

mounted=()
cleanup() {
    local i
    for (( i=${#mounted[@]}-1; i>=0; i-- )); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
}
trap cleanup EXIT
bind() { mount --bind "/$1" "$root/$1"; mounted+=("$root/$1"); }

if [[ ! -x "$root/usr/bin/qemu-system-x86_64" ]]; then
    command -v debootstrap >/dev/null || { log "installing debootstrap"; apt-get install -y debootstrap >&2 \
        || { apt-get update >&2 && apt-get install -y debootstrap >&2; }; }
    m="$(mirror)"
    rm -rf "$root.partial"
    mkdir -p "$cache"
    log "debootstrap trixie from $m (about a minute)"
    debootstrap --variant=minbase --include=busybox-static,pciutils trixie "$root.partial" "$m" >&2 \
        || die "debootstrap failed (log: $root.partial/debootstrap/debootstrap.log)"
    cat > "$root.partial/etc/apt/sources.list.d/backports.sources" <<SRC
Types: deb
URIs: $m
Suites: trixie-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    mv "$root.partial" "$root"
    for d in proc sys dev; do bind "$d"; done
    log "installing qemu-system-x86 from trixie-backports"
    chroot "$root" apt-get update >&2
    chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        -t trixie-backports qemu-system-x86 >&2 || { mv "$root" "$root.partial"; die "QEMU install failed"; }
    chroot "$root" apt-get clean
    cleanup; mounted=()
fi

if [[ ! -f "$boot/vmlinuz" ]]; then
    mkdir -p "$boot"
    pkg="$(chroot "$root" apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')"
    [[ -n "$pkg" ]] || die "cannot resolve linux-image-amd64 in the chroot"
    log "unpacking $pkg"
    tmp="$root/tmp/kernel-deb"; rm -rf "$tmp"; mkdir -p "$tmp"
    (cd "$tmp" && chroot "$root" sh -c "cd /tmp/kernel-deb && apt-get download $pkg" >&2)
    dpkg-deb -x "$tmp"/*.deb "$tmp/x"
    cp "$tmp"/x/boot/vmlinuz-* "$boot/vmlinuz.new" && mv "$boot/vmlinuz.new" "$boot/vmlinuz"
    echo "$pkg $(basename "$tmp"/*.deb)" > "$boot/kernel.txt"
    rm -rf "$tmp"
fi

if [[ ! -f "$boot/initrd" || "$here/init.sh" -nt "$boot/initrd" || "$here/chroot.sh" -nt "$boot/initrd" ]]; then
    log "building the initramfs"
    ir="$(mktemp -d)"
    mkdir -p "$ir"/{bin,sbin,proc,sys,dev,tmp,etc,usr/share/misc,lib64,lib/x86_64-linux-gnu}
    cp "$root/usr/bin/busybox" "$ir/bin/busybox"
    for a in sh mount umount mkdir cat echo ls poweroff sleep dmesg grep sed head tail tr xxd od hexdump \
             cut sort uniq wc seq printf test true false find; do
        ln -s busybox "$ir/bin/$a"
    done
    # the guest's own pciutils (trixie's) with every library ldd names, and the ID database
    for b in lspci setpci; do
        src="$root/usr/bin/$b"; [[ -x "$src" ]] || src="$root/usr/sbin/$b"; [[ -x "$src" ]] || src="$root/bin/$b"
        cp "$src" "$ir/bin/$b"
        chroot "$root" ldd "${src#$root}" | awk '/=> \// {print $3} /^\t\/lib64/ {print $1}' | while read -r lib; do
            dest="$ir$lib"; mkdir -p "$(dirname "$dest")"; cp -L "$root$lib" "$dest"
        done
    done
    [[ -f "$root/usr/share/misc/pci.ids" ]] && cp "$root/usr/share/misc/pci.ids" "$ir/usr/share/misc/" || true
    cp "$here/init.sh" "$ir/init"; chmod +x "$ir/init"
    (cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$boot/initrd.new"
    mv "$boot/initrd.new" "$boot/initrd"
    rm -rf "$ir"
fi
echo "$cache"
