#!/usr/bin/env bash
# guest/harness.sh — real-guest tests: a real Linux guest under QEMU 11.1 probes config spaces that
# `vcap serve` serves over vfio-user, and `vcap compare-guest` holds what it saw against vcap's
# prediction (`vcap plan --emit`) and vcap's guest model. Every case is a fresh server and a fresh
# device: one boot carries them all, each device behind its own root port (case N on bus N). Output:
# one line per check, then `N passed, N failed` (docs/VFIO-USER.md).
#
# Needs root (the chroot), the corpus at ../shared/corpus and JDK 25; a missing piece skips the
# whole run with a message. The chroot, kernel and initramfs are cached in $VCAP_GUEST_CACHE
# (default /var/cache/vcap-guest) by guest/chroot.sh; the first run makes them (about 80 s).
# VCAP_GUEST_KEEP=DIR keeps every file of the run in DIR.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
corpus="${VCAP_CORPUS:-$repo/../shared/corpus}/dumps"
cache="${VCAP_GUEST_CACHE:-/var/cache/vcap-guest}"
start=$SECONDS
passed=0; failed=0
pass() { echo "pass: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() { echo "real-guest harness: $((SECONDS - start)) s"; echo "$passed passed, $failed failed"; exit $((failed > 0)); }

if [[ ! -d "$corpus" ]]; then echo "skip: no corpus at $corpus"; finish; fi
if [[ "$(id -u)" != 0 ]]; then echo "skip: the real-guest harness needs root (debootstrap, chroot)"; finish; fi
"$here/chroot.sh" >/dev/null || { fail "guest/chroot.sh could not make the chroot"; finish; }
root="$cache/trixie"
(cd "$repo" && ./vcap --version >/dev/null) || { fail "vcap does not build"; finish; }
vcap() { "$repo/vcap" "$@"; }

work="$(mktemp -d "$root/tmp/harness.XXXXXX")"
keep="${VCAP_GUEST_KEEP:-}"
spids=()
cleanup() {
    local p
    for p in "${spids[@]}"; do grep -qs -- "$work" "/proc/$p/cmdline" && kill "$p"; done  # ours, still running
    [[ -n "$keep" ]] && { rm -rf "$keep"; cp -r "$work" "$keep"; }
    rm -rf "$work"
}
trap cleanup EXIT

dsa="$corpus/pciutils_pri-pasid__6a-01.0__8086-0b25.lspci"          # RCiEP, physical PASID/PRI/ATS
jmicron="$corpus/gh-alienware-m11x__1a-00.0__197b-2382.lspci"       # empty extended list, vendor data at 0xff8
igpu="$corpus/pciutils_cap-pasid-pri__00-02.0__8086-191e.lspci"     # PASID at 0x100 (hidden by vfio: a stub)
hda="$corpus/gh-alienware-m11x__01-00.1__10de-0be4.lspci"           # empty extended list
cxl="$corpus/pciutils_cap-dvsec-cxl__6b-00.0__8086-0d93.lspci"      # pciutils' CXL test RCiEP: SR-IOV, PASID 0xb40, EETLP prefixes
adl="$corpus/mail-linux-pci_e6f2d117f4a8__00-02.0__8086-46a6.lspci" # RCiEP PF: SR-IOV, PASID at 0x100, no EETLP prefix

# About 20 JVMs start on a machine of few cores: C1 alone and an AOT cache (JDK 25, JEP 483: a
# training run records, a second run creates the cache) halve each one's CPU time (0.85 s instead
# of 1.7 s for vcap serve to plan and listen). JVM messages go to stderr, never into the JSON.
jvm="-XX:+UseSerialGC -Xmx512m -XX:TieredStopAtLevel=1 -Xlog:disable -Xlog:all=warning:stderr"
VCAP_JAVA_OPTS="$jvm -XX:AOTMode=record -XX:AOTConfiguration=$work/vcap.aotconf" vcap serve \
    "$dsa" --pasid --pri --ats --socket "$work/no/such/dir/s" --json > /dev/null 2>&1
VCAP_JAVA_OPTS="$jvm -XX:AOTMode=create -XX:AOTConfiguration=$work/vcap.aotconf -XX:AOTCache=$work/vcap.aot" \
    vcap --version > /dev/null 2>&1
export VCAP_JAVA_OPTS="$jvm -XX:AOTCache=$work/vcap.aot"

# One case per line: NAME MODE DUMP OPTIONS... (case N is the Nth line, its device on bus N)
cases=(
    # PASID, PRI and ATS land at the tail, behind the physical capabilities: backward next pointers
    "backward-pointers probe $dsa --pasid --pri --ats"
    # an empty extended list whose tail holds vendor data: vcap steers around it
    "empty-list-hidden-tail probe $jmicron --pasid --ats"
    # vfio's null stub at 0x100 over the hidden physical PASID, whose registers still read through
    # it: vcap puts PASID at the tail (and refuses 0x100, below); the guest walks past the stub
    "null-stub-at-head probe $igpu --pasid --ats --pri"
    # QEMU 11.0's behaviour on an empty extended list: no vPASID (vfio_add_ext_cap returns early)
    "qemu-compat probe $hda --pasid --compat qemu"
    # a VF without its own PASID: PASID and PRI where the PF has them (VF mirroring), the guest enables PASID
    "vf-mirrors-pf probe $cxl --vf --pasid --pri --ats"
    # a VF whose PF has PASID at 0x100: the synthesized PASID replaces the VF's null header
    "vf-pasid-at-head probe $adl --vf --pasid --pri --ats"
    # a migration in place: a refused destination, then an admitted one, while the guest runs
    "migration-case migrate $dsa --pasid --pri --ats"
    # an adversarial guest: setpci writes all ones at every offset at every width
    "adversarial adversarial $dsa --pasid --pri --ats"
)

mig="$work/migration"; mkdir -p "$mig"
sed 's/^10: .*/10: 0c 00 00 c0 7f 38 00 00 0c 00 10 c0 7f 38 00 00/' "$dsa" > "$mig/admitted.lspci"
sed 's/^ff0: .*/ff0: 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00/' "$dsa" > "$mig/refused.lspci"

# 1. a fresh server per case
sockets=(); modes=()
t0=$SECONDS
for i in "${!cases[@]}"; do
    read -r name mode dump opts <<< "${cases[$i]}"
    d="$work/$name"; mkdir -p "$d"
    control=()
    if [[ "$mode" == migrate ]]; then
        mkfifo "$d/control"; control=(--control "$d/control")
        export VCAP_GUEST_ON_MIGRATE="
            echo 'migrate $mig/refused.lspci' > '$d/control'
            for _ in \$(seq 100); do grep -q '\"admitted\":false' '$d/events.jsonl' && break; sleep 0.1; done
            echo 'migrate $mig/admitted.lspci' > '$d/control'
            for _ in \$(seq 100); do grep -q '\"admitted\":true' '$d/events.jsonl' && break; sleep 0.1; done"
    fi
    # shellcheck disable=SC2086 # opts are words
    # the launcher itself (not the vcap function, whose subshell $! would name): it execs the JVM
    "$repo/vcap" serve "$dump" --socket "$d/dev.sock" $opts "${control[@]}" --json > "$d/events.jsonl" \
        2> "$d/serve.err" &
    spids+=($!); sockets+=("$d/dev.sock"); modes+=("$mode")
done
for i in "${!cases[@]}"; do
    read -r name _ <<< "${cases[$i]}"
    for _ in $(seq 300); do
        grep -q '"event":"listening"' "$work/$name/events.jsonl" && break
        kill -0 "${spids[$i]}" 2>/dev/null || break
        sleep 0.1
    done
    grep -q '"event":"listening"' "$work/$name/events.jsonl" \
        || fail "$name: vcap serve did not listen: $(head -3 "$work/$name/serve.err")"
done
echo "== ${#cases[@]} servers listening ($((SECONDS - t0)) s)"

# PASID asked for at vfio's stub: bytes of unknown purpose under it, so serve refuses as plan does
refused="$(vcap plan "$igpu" --pasid --pasid-offset 0x100 2>&1 >/dev/null | head -1)"
vcap serve "$igpu" --socket "$work/refused.sock" --pasid --pasid-offset 0x100 > /dev/null 2> "$work/refused.err"
status=$?
[[ $status == 4 && -n "$refused" && "$(head -1 "$work/refused.err")" == "$refused" && ! -e "$work/refused.sock" ]] \
    && pass "vcap serve refuses PASID at vfio's stub as vcap plan does: ${refused#vcap: refused: }" \
    || fail "vcap serve at vfio's stub: exit $status, '$(head -1 "$work/refused.err")'; vcap plan: '$refused'"

# 2. one boot, every device
t0=$SECONDS
"$here/boot.sh" "$work/guest" 300 "$(IFS=,; echo "${modes[*]}")" "${sockets[@]}"
status=$?
report="$work/guest/report.txt"
if [[ $status == 0 ]] && grep -q '^@@done' "$report"; then
    pass "the guest probed ${#cases[@]} devices and reported ($((SECONDS - t0)) s)"
else
    fail "the guest did not finish (boot.sh $status): $(grep -v '^\s*$' "$work/guest/qemu.log" | tail -3)"
fi
expected="$(for i in "${!cases[@]}"; do printf ' %02x:00.0' $((i + 1)); done)"
[[ "$(grep '^@@devices' "$report")" == "@@devices$expected" ]] \
    && pass "each device sits on the bus of its root port:$expected" \
    || fail "the guest found $(grep '^@@devices' "$report"), expected$expected"
sed -n '/^@@begin dmesg$/,/^@@end dmesg$/p' "$report" | sed '1d;$d' > "$work/guest/dmesg.txt"
echo "== guest seconds since its kernel started:" $(sed -n 's/^@@at //p' "$report" | tr '\n' ';') \
    "powered off at $(sed -n 's/^\[ *\([0-9.]*\)\] reboot: Power down.*/\1/p' "$work/guest/console.log")"

# 3. per case: the server's end, then what the guest saw against vcap's prediction and model
jobs=()
for i in "${!cases[@]}"; do
    read -r name mode dump opts <<< "${cases[$i]}"
    d="$work/$name"; bdf="$(printf '%02x:00.0' $((i + 1)))"
    for _ in $(seq 50); do kill -0 "${spids[$i]}" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "${spids[$i]}" 2>/dev/null; then
        kill "${spids[$i]}"; fail "$name: vcap serve was still running after QEMU left"
    else
        wait "${spids[$i]}" && pass "$name: vcap serve stopped cleanly when QEMU left" \
            || fail "$name: vcap serve exited $?: $(tail -3 "$d/serve.err")"
    fi
    [[ -e "$d/dev.sock" ]] && fail "$name: the socket file was left behind"
    for s in lspci lspci-after; do
        sed -n "/^@@begin $s $bdf\$/,/^@@end $s $bdf\$/p" "$report" | sed '1d;$d' > "$d/$s.txt"
    done
    if [[ ! -s "$d/lspci.txt" ]]; then fail "$name: the guest reported nothing of $bdf"; continue; fi
    after=()
    [[ -s "$d/lspci-after.txt" ]] && after=(--after "$d/lspci-after.txt")
    # shellcheck disable=SC2086 # opts are words
    "$repo/vcap" compare-guest "$dump" $opts --guest "$d/lspci.txt" "${after[@]}" --events "$d/events.jsonl" \
        --dmesg "$work/guest/dmesg.txt" --mode "$mode" > "$d/compare.txt" 2>&1 &
    jobs+=($!)
    if (( ${#jobs[@]} >= 2 )); then wait "${jobs[0]}"; jobs=("${jobs[@]:1}"); fi
done
wait
for i in "${!cases[@]}"; do
    read -r name _ <<< "${cases[$i]}"
    [[ -f "$work/$name/compare.txt" ]] || continue
    echo "== $name: ${cases[$i]#* }" | sed "s|$corpus/||"
    while IFS= read -r line; do
        case "$line" in
            "pass: "*) pass "$name: ${line#pass: }" ;;
            "FAIL: "*) fail "$name: ${line#FAIL: }" ;;
            *) echo "$line" ;;
        esac
    done < "$work/$name/compare.txt"
    grep -q '^\(pass\|FAIL\): ' "$work/$name/compare.txt" \
        || fail "$name: vcap compare-guest said: $(tail -3 "$work/$name/compare.txt")"
done

# 4. the migration case against check-migration
d="$work/migration-case"
vcap plan "$dsa" --pasid --pri --ats --contract "$mig/contract.json" > /dev/null
served="$(grep -o '"admitted":false,"rule":"[A-Z_]*"' "$d/events.jsonl" | head -1 | sed 's/.*"rule":"//; s/"//')"
checked="$(vcap check-migration "$mig/contract.json" "$mig/refused.lspci" --json | grep -o '"rule":"[A-Z_]*"' | sed 's/.*:"//; s/"//')"
[[ -n "$served" && "$served" == "$checked" ]] && pass "migration: vcap serve refused the destination as check-migration does ($served)" \
    || fail "migration: vcap serve refused with '$served', check-migration with '$checked'"
vcap check-migration "$mig/contract.json" "$mig/admitted.lspci" > /dev/null \
    && pass "migration: check-migration admits the destination vcap serve admitted" \
    || fail "migration: check-migration refuses the destination vcap serve admitted"
finish
