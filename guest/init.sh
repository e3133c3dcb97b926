#!/bin/sh
# The real guest's init (PID 1 of a busybox initramfs; see guest/harness.sh). It looks at the one
# device behind the root port as Linux probed it and reports on the second serial port (ttyS1)
# in sections:  @@begin NAME ... @@end NAME.  What it does after the probe report depends on
# vcap.mode= on the kernel command line:
#   probe        nothing more
#   adversarial  setpci writes all ones at every offset at every width, then reports again
#   migrate      prints @@migrate, waits for a line on ttyS1 (the host migrates the device in
#                place meanwhile), resets the function through sysfs (the kernel restores PASID,
#                PRI and ATS through the offsets it cached at probe), then reports again
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
out=/dev/ttyS1
stty -F $out raw -echo 2>/dev/null
mode=probe
for w in $(cat /proc/cmdline); do
    case "$w" in vcap.mode=*) mode="${w#vcap.mode=}" ;; esac
done
dev=0000:01:00.0
sys=/sys/bus/pci/devices/$dev

section() { echo "@@begin $1" >&3; cat >&3; echo "@@end $1" >&3; }

report() {
    suffix="$1"
    lspci -vvv -xxxx -s ${dev#0000:} 2>/dev/null | section "lspci$suffix"
    od -An -tx1 -v "$sys/config" | section "config$suffix"
    dmesg | section "dmesg$suffix"
    { ls -l "$sys/iommu_group" 2>&1; cat "$sys/enable" "$sys/reset_method" 2>&1; } | section "sysfs$suffix"
}

exec 3>$out
echo "@@mode $mode" >&3
report ""
case "$mode" in
adversarial)
    for w in b w l; do
        case $w in b) step=1; v=ff ;; w) step=2; v=ffff ;; l) step=4; v=ffffffff ;; esac
        i=0
        while [ $i -lt 4096 ]; do
            args=""
            n=0
            while [ $n -lt 512 ] && [ $i -lt 4096 ]; do
                args="$args $(printf '%x' $i).$w=$v"
                i=$((i + step)); n=$((n + 1))
            done
            setpci -s ${dev#0000:} $args 2>&1 | head -3
        done
        echo "@@wrote $w" >&3
    done
    report "-after"
    ;;
migrate)
    echo "@@migrate" >&3
    read -r reply < $out
    echo "@@resumed $reply" >&3
    echo 1 > "$sys/reset" 2>/dev/null; echo "@@reset $?" >&3
    report "-after"
    ;;
esac
echo "@@done" >&3
sync
poweroff -f
