#!/usr/bin/env bash
# vm.sh — run one command inside a QEMU guest whose emulated PCIe devices are bound to vfio-pci.
#
# Usage:
#   kernel/vm.sh [--kernel IMAGE] [--results DIR] [--timeout SECONDS] [--keep PATH]... \
#                [--quiet] -- COMMAND [ARG]...
#
# What it boots: Debian's qemu-system-x86_64 under TCG (no KVM is assumed), q35 with
# `-cpu max -smp 2 -m 2G`, an emulated intel-iommu in scalable mode with caching-mode (so
# iommufd and vfio work in the guest), and three emulated PCIe endpoints, each behind its own
# pcie-root-port:
#     0000:01:00.0  e1000e                                    (AER, DSN; MSI, MSI-X)
#     0000:02:00.0  nvme                                      (MSI-X)
#     0000:03:00.0  virtio-net-pci,disable-legacy=on,ats=on   (ATS; vendor capabilities)
# The kernel defaults to the newest bzImage-* in ../shared/kernel beside the repository; the
# command line is `intel_iommu=on console=ttyS0 panic=-1`.
#
# Filesystems: the host's root filesystem is the guest's root, shared read-only over 9p
# (`multidevs=remap`, without which inode numbers collide and /proc breaks), so the host's
# JDK 25, the built project and ~/.m2 are visible at their host paths. A second, writable 9p
# share is the results directory. The guest's init (kernel/guest-init.sh, run as PID 1 straight
# from the 9p root) mounts proc, sysfs, devtmpfs and tmpfs on /run and /tmp, re-exposes the
# host paths under /tmp that the command needs (the current directory, the repository and every
# --keep PATH: a clone under /tmp works), binds every function behind a root port to vfio-pci
# (driver_override, unbind, drivers_probe), runs COMMAND in the caller's current directory with
# JAVA_HOME pointing at the host's JDK 25, writes its output and exit status to the results
# share and powers off.
#
# Results, in DIR (a fresh temporary directory, removed afterwards, when --results is not given):
#     output       COMMAND's standard output and error, interleaved
#     status       COMMAND's exit status (absent: the guest never finished)
#     console.log  the guest's serial console (kernel log, init's own messages)
#     bind.log     what the binding did, device by device
# Inside the guest DIR is at $VCAP_VM_RESULTS (/run/results): a command may leave files there.
#
# Exit status: COMMAND's exit status; 124 when the guest did not finish within the timeout
# (default 300 s; QEMU is killed, a hung guest never hangs the caller); 125 for a usage or
# setup error. On a failure before COMMAND ran, the tail of the console is printed on stderr.
# COMMAND's output is copied to stdout unless --quiet is given.
#
# Environment: QEMU (default qemu-system-x86_64), VCAP_JAVA_HOME (default
# /usr/lib/jvm/temurin-25-jdk-amd64, or JAVA_HOME when that is a JDK 25).
#
# Examples:
#   kernel/vm.sh -- ls -l /dev/vfio/devices /dev/iommu
#   kernel/vm.sh --kernel ../shared/kernel/bzImage-6.12.118-vfiolab -- \
#       '$JAVA_HOME/bin/java' -jar vcap-cli/target/vcap-cli.jar probe 0000:01:00.0
#   kernel/vm.sh --results /tmp/r -- sh -c 'lspci -nnk > $VCAP_VM_RESULTS/lspci.txt'
# Arguments are quoted for the guest's shell one by one, so '$JAVA_HOME' written in single
# quotes on the host expands in the guest.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

die() { echo "vm.sh: $*" >&2; exit 125; }

kernel=""
results=""
timeout_s=300
quiet=0
keep=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --kernel) kernel="${2:?--kernel needs an image}"; shift 2 ;;
        --results) results="${2:?--results needs a directory}"; shift 2 ;;
        --timeout) timeout_s="${2:?--timeout needs seconds}"; shift 2 ;;
        --keep) keep+=("${2:?--keep needs a path}"); shift 2 ;;
        --quiet) quiet=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        --) shift; break ;;
        *) die "unknown option '$1' (the command comes after --; see --help)" ;;
    esac
done
[[ $# -gt 0 ]] || die "no command given (usage: vm.sh [options] -- COMMAND...)"
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "--timeout wants whole seconds, got '$timeout_s'"

if [[ -z "$kernel" ]]; then
    kernel="$(ls -1 "$repo"/../shared/kernel/bzImage-* 2>/dev/null | sort -V | tail -n 1 || true)"
    [[ -n "$kernel" ]] || die "no kernel given and none in $repo/../shared/kernel (build one: kernel/build-kernel.sh)"
fi
[[ -r "$kernel" ]] || die "kernel image '$kernel' is not readable"
kernel="$(cd "$(dirname "$kernel")" && pwd)/$(basename "$kernel")"

qemu="${QEMU:-qemu-system-x86_64}"
command -v "$qemu" >/dev/null || die "$qemu not found (apt-get install qemu-system-x86)"

java_home="${VCAP_JAVA_HOME:-}"
if [[ -z "$java_home" ]]; then
    if [[ -n "${JAVA_HOME:-}" ]] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
        java_home="$JAVA_HOME"
    else
        java_home=/usr/lib/jvm/temurin-25-jdk-amd64
    fi
fi

own_results=0
if [[ -z "$results" ]]; then
    results="$(mktemp -d /tmp/vcap-vm.XXXXXX)"
    own_results=1
fi
mkdir -p "$results"
results="$(cd "$results" && pwd)"
rm -f "$results/output" "$results/status" "$results/console.log" "$results/bind.log"
cleanup() { [[ $own_results == 1 ]] && rm -rf "$results"; return 0; }
trap cleanup EXIT

# The command, quoted word by word for the guest's /bin/sh.
cmd=""
for a in "$@"; do
    case "$a" in
        \$*) cmd+=" \"$a\"" ;;                       # '$VAR...': expand in the guest
        *) cmd+=" '${a//\'/\'\\\'\'}'" ;;
    esac
done
{
    printf 'export JAVA_HOME=%q\n' "$java_home"
    printf 'export PATH=%q\n' "$java_home/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    printf 'export HOME=%q\n' "${HOME:-/root}"
    printf 'export VCAP_VM_KERNEL=%q\n' "$(basename "$kernel")"
    printf 'VCAP_VM_CWD=%q\n' "$PWD"
    printf 'VCAP_VM_KEEP=%q\n' "$PWD $repo $(cd "$repo/.." && pwd)/shared ${keep[*]:-}"
    printf 'VCAP_VM_CMD=%q\n' "${cmd# }"
} > "$results/job"

# Each endpoint behind its own root port, at a fixed slot so its address in the guest is fixed.
devices=(
    -device pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1,addr=0x4
    -device e1000e,bus=rp1,addr=0x0
    -device pcie-root-port,id=rp2,bus=pcie.0,chassis=2,slot=2,addr=0x5
    -device nvme,bus=rp2,addr=0x0,serial=vcap0001
    -device pcie-root-port,id=rp3,bus=pcie.0,chassis=3,slot=3,addr=0x6
    -device virtio-net-pci,bus=rp3,addr=0x0,disable-legacy=on,ats=on
)

set +e
timeout -k 10 "$timeout_s" "$qemu" \
    -machine q35,accel=tcg,kernel-irqchip=split -cpu max -smp 2 -m 2G \
    -nodefaults -no-user-config -display none -no-reboot \
    -serial "file:$results/console.log" \
    -device intel-iommu,intremap=on,caching-mode=on,x-scalable-mode=on \
    "${devices[@]}" \
    -fsdev local,id=rootfs,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=rootfs,mount_tag=root,bus=pcie.0,addr=0x10 \
    -fsdev "local,id=resfs,path=$results,security_model=none,multidevs=remap" \
    -device virtio-9p-pci,fsdev=resfs,mount_tag=results,bus=pcie.0,addr=0x11 \
    -kernel "$kernel" \
    -append "intel_iommu=on console=ttyS0 panic=-1 root=root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=262144,cache=loose ro init=$here/guest-init.sh" \
    </dev/null >"$results/qemu.log" 2>&1
qemu_rc=$?
set -e

if [[ $quiet == 0 && -f "$results/output" ]]; then cat "$results/output"; fi
if [[ $qemu_rc == 124 || $qemu_rc == 137 ]]; then
    echo "vm.sh: the guest did not finish within ${timeout_s}s ($(basename "$kernel")); console tail:" >&2
    tail -n 20 "$results/console.log" >&2 || true
    exit 124
fi
if [[ ! -f "$results/status" ]]; then
    echo "vm.sh: the guest ended without running the command (QEMU exit $qemu_rc, $(basename "$kernel"))" >&2
    cat "$results/qemu.log" >&2 || true
    tail -n 30 "$results/console.log" >&2 || true
    exit 125
fi
exit "$(cat "$results/status")"
