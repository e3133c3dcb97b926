#!/usr/bin/env bash
# build-kernel.sh — build a guest kernel with iommufd and the vfio cdev from Debian's own source.
#
# Usage:
#   kernel/build-kernel.sh [--version 7.3|6.12] [--out DIR] [--source-only]
#
# Debian's stock kernels are built without CONFIG_IOMMUFD, so they have neither /dev/iommu nor
# vfio device files. This script builds the kernel the harness boots, the way the images in
# ../shared/kernel were built:
#   1. the source: Debian's `linux-source-VERSION` package, fetched with apt-get download.
#      6.12 comes from this machine's apt sources as they are (bookworm-security); 7.3 comes
#      from trixie-backports through a private APT_CONFIG under the work directory, pointing at
#      the mirror this machine's /etc/apt/sources.list.d/debian.sources names — the machine's
#      own apt configuration is not touched;
#   2. the configuration: `make allnoconfig`, scripts/kconfig/merge_config.sh with
#      kernel/vfio-guest.config (everything built in, no modules), `make olddefconfig`;
#   3. `make bzImage` on every core. About 6.5 minutes on 2 cores.
# Build dependencies (flex bison libelf-dev cpio bc libssl-dev make gcc xz-utils) are installed
# with apt-get when missing (root, or sudo).
#
# Output: DIR/bzImage-<kernel release> and DIR/config-<kernel release> (DIR defaults to
# kernel/build in the repository, which git ignores); the image's path is the last line printed.
# With --source-only it stops after unpacking and prints the source tree's path instead.
# Work files (the .deb, the unpacked tree, the private apt state) go to
# ${VCAP_KERNEL_WORK:-/tmp/vcap-kernel-build}/VERSION and are reused by a second run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version=7.3
out="$here/build"
source_only=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --version) version="${2:?--version needs 7.3 or 6.12}"; shift 2 ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --source-only) source_only=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-kernel.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
case "$version" in
    7.3|6.12) ;;
    *) echo "build-kernel.sh: --version must be 7.3 or 6.12, got '$version'" >&2; exit 2 ;;
esac

sudo=""; [[ "$(id -u)" != 0 ]] && sudo="sudo"
work="${VCAP_KERNEL_WORK:-/tmp/vcap-kernel-build}/$version"
mkdir -p "$work"
say() { echo "build-kernel: $*" >&2; }

# The first URIs line of the machine's Debian sources: the main archive.
mirror() {
    local src=/etc/apt/sources.list.d/debian.sources uri
    if [[ -r "$src" ]]; then
        uri="$(awk '/^URIs:/ { print $2; exit }' "$src")"
    elif [[ -r /etc/apt/sources.list ]]; then
        uri="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
    fi
    [[ -n "${uri:-}" ]] || { say "cannot find the Debian mirror in $src"; exit 1; }
    echo "$uri"
}

fetch_deb() {
    local pkg="linux-source-$version"
    local deb
    deb="$(ls -1 "$work"/"$pkg"_*.deb 2>/dev/null | tail -n 1 || true)"
    if [[ -n "$deb" ]]; then echo "$deb"; return; fi
    if [[ "$version" == 6.12 ]]; then
        if ! apt-cache show "$pkg" >/dev/null 2>&1; then $sudo apt-get update >&2; fi
        (cd "$work" && apt-get download "$pkg" >&2)
    else
        local apt="$work/apt"
        mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d"
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $(mirror) trixie-backports main" \
            > "$apt/sources.list"
        cat > "$apt/apt.conf" <<EOF
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/sources.list.d";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
EOF
        APT_CONFIG="$apt/apt.conf" apt-get update >&2
        (cd "$work" && APT_CONFIG="$apt/apt.conf" apt-get download "$pkg" >&2)
    fi
    ls -1 "$work"/"$pkg"_*.deb | tail -n 1
}

unpack() {
    local deb="$1" tree="$work/src"
    if [[ ! -f "$tree/Makefile" ]]; then
        say "unpacking $(basename "$deb")"
        rm -rf "$work/deb" "$tree"
        dpkg-deb -x "$deb" "$work/deb"
        mkdir -p "$tree"
        tar -xf "$work"/deb/usr/src/linux-source-*.tar.xz -C "$tree" --strip-components=1
        rm -rf "$work/deb"
    fi
    echo "$tree"
}

need=()
for p in flex bison libelf-dev cpio bc libssl-dev make gcc xz-utils; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [[ $source_only == 0 && ${#need[@]} -gt 0 ]]; then
    say "installing build dependencies: ${need[*]}"
    $sudo apt-get install -y "${need[@]}" >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y "${need[@]}" >&2; }
fi

deb="$(fetch_deb)"
tree="$(unpack "$deb")"
if [[ $source_only == 1 ]]; then echo "$tree"; exit 0; fi

say "configuring $(basename "$deb"): allnoconfig + vfio-guest.config + olddefconfig"
cd "$tree"
make -s allnoconfig >&2
scripts/kconfig/merge_config.sh -m .config "$here/vfio-guest.config" >&2
make -s olddefconfig >&2
# The fragment's own lines must have survived olddefconfig (a dependency the kernel lacks drops
# them silently): IOMMUFD and the vfio cdev are the point of this kernel.
for opt in CONFIG_IOMMUFD CONFIG_VFIO_DEVICE_CDEV CONFIG_VFIO_PCI CONFIG_INTEL_IOMMU CONFIG_9P_FS; do
    grep -qx "$opt=y" .config || { say "$opt did not end up =y in .config"; exit 1; }
done

say "make bzImage on $(nproc) cores"
start=$(date +%s)
make -s -j"$(nproc)" bzImage >&2
release="$(make -s kernelrelease)"
mkdir -p "$out"
cp arch/x86/boot/bzImage "$out/bzImage-$release"
cp .config "$out/config-$release"
say "built $release in $(( $(date +%s) - start )) s"
echo "$out/bzImage-$release"
