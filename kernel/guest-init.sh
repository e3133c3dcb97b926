#!/bin/sh
# guest-init.sh — PID 1 of the guest that kernel/vm.sh boots (read its header first).
#
# Runs from the host's root filesystem, shared read-only over 9p. It mounts what a system
# needs, binds every function behind a PCIe root port to vfio-pci, runs the job that vm.sh
# wrote into the results share (/run/results/job), records the job's output and exit status
# there, and powers off. It never returns: if anything goes wrong the kernel panics, and
# `panic=-1` with QEMU's -no-reboot ends the VM either way.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

log() { echo "vcap-init: $*" > /dev/console 2>/dev/null || echo "vcap-init: $*"; }

poweroff_now() {
    sync
    # busybox (busybox-static) powers off without an init system; without it, exiting PID 1
    # panics the kernel, and panic=-1 plus -no-reboot stops QEMU just the same.
    if command -v busybox >/dev/null 2>&1; then busybox poweroff -f; fi
    exit 0
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null   # CONFIG_DEVTMPFS_MOUNT may have done it already
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/results /run/hosttmp
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results /run/results; then
    log "cannot mount the results share"
    poweroff_now
fi
R=/run/results
. "$R/job"
export VCAP_VM_RESULTS="$R"

# A tmpfs on /tmp hides the host's /tmp, where the caller's checkout may live: bind the host's
# /tmp aside first, then bring back the paths the job needs at their own names.
mount --bind /tmp /run/hosttmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
for p in $VCAP_VM_KEEP; do
    case "$p" in
        /tmp/?*)
            top="/tmp/$(echo "${p#/tmp/}" | cut -d/ -f1)"
            if [ -e "/run/hosttmp/${top#/tmp/}" ] && ! mountpoint -q "$top" 2>/dev/null; then
                if [ -d "/run/hosttmp/${top#/tmp/}" ]; then mkdir -p "$top"; else : > "$top"; fi
                mount --bind "/run/hosttmp/${top#/tmp/}" "$top"
            fi ;;
    esac
done
mount -t tmpfs tmpfs /dev/shm 2>/dev/null || true

# Bind every function behind a root port (the emulated endpoints) to vfio-pci.
: > "$R/bind.log"
for dev in /sys/bus/pci/devices/*; do
    addr="${dev##*/}"
    case "$addr" in 0000:00:*) continue ;; esac
    before="$(basename "$(readlink "$dev/driver" 2>/dev/null)" 2>/dev/null)"
    echo vfio-pci > "$dev/driver_override"
    if [ -e "$dev/driver" ]; then echo "$addr" > "$dev/driver/unbind"; fi
    echo "$addr" > /sys/bus/pci/drivers_probe
    after="$(basename "$(readlink "$dev/driver" 2>/dev/null)" 2>/dev/null)"
    vfio="$(ls "$dev/vfio-dev" 2>/dev/null | head -n 1)"
    echo "$addr $(cat "$dev/vendor"):$(cat "$dev/device") driver ${before:-none} -> ${after:-none}" \
         "group $(basename "$(readlink "$dev/iommu_group")") ${vfio:-no-vfio-cdev}" >> "$R/bind.log"
done

log "running: $VCAP_VM_CMD"
cd "$VCAP_VM_CWD" || { echo 125 > "$R/status"; poweroff_now; }
/bin/sh -c "$VCAP_VM_CMD" > "$R/output" 2>&1 < /dev/null
rc=$?
echo "$rc" > "$R/status"
log "exit status $rc"
poweroff_now
