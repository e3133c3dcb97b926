#!/bin/sh
# The real guest's init (PID 1 of a busybox initramfs; see guest/harness.sh). Each served device sits
# behind its own root port, the Nth on bus N; vcap.modes= on the kernel command line gives one mode
# per bus, in bus order. The init reports what Linux probed of every device, then runs each
# device's mode, on the second serial port (ttyS1), in sections  @@begin NAME BDF ... @@end NAME BDF:
#   probe        nothing more
#   migrate      prints @@migrate BDF, waits for a line on ttyS1 (the host migrates the device in
#                place meanwhile), resets the function through sysfs (the kernel restores PASID,
#                PRI and ATS through the offsets it cached at probe), then reports again
#   adversarial  setpci writes all ones at every offset at every width -- one setpci per width,
#                every register of that width in one command line -- then reports again
# The kernel log follows once (@@begin dmesg), then @@done; the guest powers off.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
out=/dev/ttyS1
stty -F $out raw -echo 2>/dev/null
modes=probe
for w in $(cat /proc/cmdline); do
    case "$w" in vcap.modes=*) modes="${w#vcap.modes=}" ;; esac
done
exec 3>$out

section() { echo "@@begin $1"; cat; echo "@@end $1"; } >&3
stamp() { echo "@@at $(cut -d' ' -f1 /proc/uptime) $*" >&3; }  # guest seconds since the kernel started
lspci_of() { lspci -vvv -xxxx -s "$1" 2>&1 | section "$2 $1"; }
mode_of() { echo "$modes" | tr , '\n' | sed -n "$(( 0x$(echo "$1" | cut -c1-2) ))p"; }

devices=""
for d in /sys/bus/pci/devices/0000:*:00.0; do
    bdf="${d#/sys/bus/pci/devices/0000:}"
    case "$bdf" in 00:*) continue ;; esac
    devices="$devices $bdf"
done
echo "@@devices$devices" >&3
stamp probed
for bdf in $devices; do
    lspci_of "$bdf" lspci
done
stamp reported
for bdf in $devices; do
    [ "$(mode_of "$bdf")" = migrate ] || continue
    echo "@@migrate $bdf" >&3
    read -r reply < $out
    echo 1 > "/sys/bus/pci/devices/0000:$bdf/reset" 2>/dev/null; echo "@@reset $bdf $? $reply" >&3
    lspci_of "$bdf" lspci-after
    stamp migrated "$bdf"
done
for bdf in $devices; do
    [ "$(mode_of "$bdf")" = adversarial ] || continue
    for w in b w l; do
        case $w in b) step=1; v=ff ;; w) step=2; v=ffff ;; l) step=4; v=ffffffff ;; esac
        setpci -s "$bdf" $(printf "%x.$w=$v " $(seq 0 $step 4095)) 2>&1 | head -3
        stamp wrote "$bdf" $w
    done
    lspci_of "$bdf" lspci-after
    stamp attacked "$bdf"
done
dmesg | section dmesg
echo "@@done" >&3
sync
poweroff -f
