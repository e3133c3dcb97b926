#!/usr/bin/env bash
# guest/boot.sh — boot the real guest once against one or more vfio-user sockets and collect what
# it saw.
#
# Usage: guest/boot.sh OUTDIR TIMEOUT MODES SOCKET...
#   OUTDIR   receives console.log (ttyS0: the kernel), report.txt (ttyS1: init's sections), qemu.log
#   TIMEOUT  seconds the guest may take to power off
#   MODES    one mode per socket, comma-separated: probe | adversarial | migrate (guest/init.sh).
#            Whenever the guest prints "@@migrate BDF", the script runs $VCAP_GUEST_ON_MIGRATE (a
#            shell command; $VCAP_GUEST_BDF names the device), then lets the guest go on
#   SOCKET   a vfio-user server's socket; it must lie inside the chroot (CACHE/trixie/...), since
#            QEMU runs there and is given the path relative to the chroot. The Nth socket's device
#            sits behind its own pcie-root-port at 00:N.0, so the guest finds it on bus N (0N:00.0)
#
# The machine: QEMU 11.1 from the chroot under TCG, q35, 1 vCPU, 512 MiB, an emulated intel-iommu in
# scalable mode with caching-mode=on (required for a vfio-user device), device-iotlb (ATS), svm
# (PRI) and 20 PASID bits; Debian's stock kernel with intel_iommu=on,sm_on. Exit status: QEMU's, or
# 124 when the guest did not power off within TIMEOUT seconds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$1"; limit="$2"; modes="$3"; shift 3
cache="${VCAP_GUEST_CACHE:-/var/cache/vcap-guest}"
root="$cache/trixie"
(( $# >= 1 && $# <= 30 )) || { echo "boot.sh: give 1 to 30 sockets" >&2; exit 2; }
devices=()
n=0
for socket in "$@"; do
    case "$socket" in "$root"/*) ;; *) echo "boot.sh: $socket is not inside $root" >&2; exit 2 ;; esac
    n=$((n + 1))
    devices+=(-device "pcie-root-port,id=rp$n,bus=pcie.0,chassis=$n,slot=$n,addr=$(printf '%02x' $n).0"
        -device "{\"driver\":\"vfio-user-pci\",\"socket\":{\"path\":\"${socket#$root}\",\"type\":\"unix\"},\"bus\":\"rp$n\",\"addr\":\"00.0\"}")
done
mkdir -p "$out"
work="$(mktemp -d "$root/tmp/boot.XXXXXX")"
mounted=()
qpid=""
cleanup() {
    [[ -n "$qpid" ]] && kill "$qpid" 2>/dev/null || true
    local i
    for (( i=${#mounted[@]}-1; i>=0; i-- )); do umount -l "${mounted[$i]}" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
for d in dev proc; do
    if ! mountpoint -q "$root/$d"; then mount --bind "/$d" "$root/$d"; mounted+=("$root/$d"); fi
done
mkfifo "$work/ctl.in" "$work/ctl.out"
: > "$out/report.txt"
cat "$work/ctl.out" >> "$out/report.txt" &  # unbuffered: the guest waits on what it wrote
catpid=$!
chroot "$root" qemu-system-x86_64 \
    -machine q35,accel=tcg,kernel-irqchip=split -cpu max -smp 1 -m 512M \
    -display none -no-reboot -nodefaults \
    -kernel /vcap-boot/vmlinuz -initrd /vcap-boot/initrd \
    -append "console=ttyS0 loglevel=4 intel_iommu=on,sm_on panic=-1 vcap.modes=$modes" \
    -serial "file:${work#$root}/console.log" \
    -chardev "pipe,id=ctl,path=${work#$root}/ctl" -device isa-serial,chardev=ctl \
    -device intel-iommu,intremap=on,caching-mode=on,scalable-mode=on,fsts=on,pasid-bits=20,svm=on,device-iotlb=on \
    "${devices[@]}" \
    > "$out/qemu.log" 2>&1 &
qpid=$!
status=""
deadline=$((SECONDS + limit))
released=0
while kill -0 "$qpid" 2>/dev/null; do
    if (( SECONDS >= deadline )); then
        kill "$qpid" 2>/dev/null || true; status=124; break
    fi
    mapfile -t asked < <(grep -E '^@@migrate [0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$' "$out/report.txt" || true)
    if (( ${#asked[@]} > released )); then
        VCAP_GUEST_BDF="${asked[$released]#@@migrate }" bash -c "${VCAP_GUEST_ON_MIGRATE:-true}" || true
        echo go > "$work/ctl.in"
        released=$((released + 1))
    fi
    sleep 0.1
done
if [[ -z "$status" ]]; then wait "$qpid" && status=0 || status=$?; fi
qpid=""
cp "$work/console.log" "$out/console.log" 2>/dev/null || true
sleep 0.2; kill "$catpid" 2>/dev/null || true
exit "$status"
