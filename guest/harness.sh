#!/usr/bin/env bash
# guest/harness.sh — real-guest tests: a real Linux guest under QEMU 11.1 probes config spaces that
# `vcap serve` serves over vfio-user, and `vcap compare-guest` holds what it saw against vcap's
# prediction (`vcap plan --emit`) and vcap's guest model. Each case is a fresh boot of a fresh
# server. Output: one line per check, then `N passed, N failed` (docs/VFIO-USER.md).
#
# Needs root (the chroot), the corpus at ../shared/corpus and JDK 25; a missing piece skips the
# whole run with a message. The chroot, kernel and initramfs are cached in $VCAP_GUEST_CACHE
# (default /var/cache/vcap-guest) by guest/chroot.sh; the first run makes them (about 80 s).
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
cleanup() { [[ -n "$keep" ]] && { rm -rf "$keep"; cp -r "$work" "$keep"; }; rm -rf "$work"; }
trap cleanup EXIT

# run_case NAME MODE DUMP [PLAN OPTIONS...]: serve, boot, compare
run_case() {
    local name="$1" mode="$2" dump="$3"; shift 3
    local d="$work/$name" sock="$work/$name/dev.sock"
    mkdir -p "$d"
    echo "== $name: $(basename "$dump") $* ($mode)"
    local control=()
    [[ "$mode" == migrate ]] && { mkfifo "$d/control"; control=(--control "$d/control"); }
    vcap serve "$dump" --socket "$sock" "$@" "${control[@]}" --json > "$d/events.jsonl" 2> "$d/serve.err" &
    local spid=$!
    for _ in $(seq 100); do [[ -S "$sock" ]] && break; kill -0 $spid 2>/dev/null || break; sleep 0.1; done
    if [[ ! -S "$sock" ]]; then fail "$name: vcap serve did not listen: $(head -3 "$d/serve.err")"; return; fi
    local t0=$SECONDS
    "$here/boot.sh" "$sock" "$mode" "$d" 150
    local status=$?
    for _ in $(seq 50); do kill -0 $spid 2>/dev/null || break; sleep 0.1; done
    if kill -0 $spid 2>/dev/null; then
        kill $spid; fail "$name: vcap serve was still running after QEMU left"
    else
        wait $spid && pass "$name: vcap serve stopped cleanly when QEMU left" \
            || fail "$name: vcap serve exited $?: $(tail -3 "$d/serve.err")"
    fi
    [[ -e "$sock" ]] && fail "$name: the socket file was left behind"
    if [[ $status != 0 ]] || ! grep -q '^@@done' "$d/report.txt"; then
        fail "$name: the guest did not finish (boot.sh $status): $(grep -v '^\s*$' "$d/qemu.log" | tail -3)"
        return
    fi
    pass "$name: the guest probed the device and reported ($((SECONDS - t0)) s)"
    for s in lspci dmesg lspci-after; do
        sed -n "/^@@begin $s\$/,/^@@end $s\$/p" "$d/report.txt" | sed '1d;$d' > "$d/$s.txt"
    done
    local after=()
    [[ -s "$d/lspci-after.txt" ]] && after=(--after "$d/lspci-after.txt")
    vcap compare-guest "$dump" "$@" --guest "$d/lspci.txt" "${after[@]}" --events "$d/events.jsonl" \
        --dmesg "$d/dmesg.txt" --mode "$mode" > "$d/compare.txt" 2>&1
    while IFS= read -r line; do
        case "$line" in
            "pass: "*) pass "$name: ${line#pass: }" ;;
            "FAIL: "*) fail "$name: ${line#FAIL: }" ;;
            *) echo "$line" ;;
        esac
    done < "$d/compare.txt"
    grep -q '^\(pass\|FAIL\): ' "$d/compare.txt" || fail "$name: vcap compare-guest said: $(tail -3 "$d/compare.txt")"
}

dsa="$corpus/pciutils_pri-pasid__6a-01.0__8086-0b25.lspci"          # RCiEP, physical PASID/PRI/ATS
jmicron="$corpus/gh-alienware-m11x__1a-00.0__197b-2382.lspci"       # empty extended list, vendor data at 0xff8
igpu="$corpus/pciutils_cap-pasid-pri__00-02.0__8086-191e.lspci"     # PASID at 0x100 (hidden by vfio: a stub)
hda="$corpus/gh-alienware-m11x__01-00.1__10de-0be4.lspci"           # empty extended list

# 1. backward pointers: PASID, PRI and ATS land at the tail, behind the physical capabilities
run_case backward-pointers probe "$dsa" --pasid --pri --ats
# 2. an empty extended list whose tail holds vendor data: vcap steers around it
run_case empty-list-hidden-tail probe "$jmicron" --pasid --ats
# 3. PASID at the head of the extended list, where vfio leaves its null stub
run_case pasid-at-head probe "$igpu" --pasid --pasid-offset 0x100 --ats --pri
# 4. QEMU 11.0's behaviour on an empty extended list: no vPASID (vfio_add_ext_cap returns early)
run_case qemu-compat probe "$hda" --pasid --compat qemu
# 5. an adversarial guest: setpci writes all ones at every offset at every width
run_case adversarial adversarial "$dsa" --pasid --pri --ats
# 6. a migration in place: a refused destination, then an admitted one, while the guest runs
mig="$work/migration"; mkdir -p "$mig"
sed 's/^10: .*/10: 0c 00 00 c0 7f 38 00 00 0c 00 10 c0 7f 38 00 00/' "$dsa" > "$mig/admitted.lspci"
sed 's/^ff0: .*/ff0: 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00/' "$dsa" > "$mig/refused.lspci"
export VCAP_GUEST_ON_MIGRATE="
    echo 'migrate $mig/refused.lspci' > '$work/migration-case/control'
    for _ in \$(seq 100); do grep -q '\"admitted\":false' '$work/migration-case/events.jsonl' && break; sleep 0.1; done
    echo 'migrate $mig/admitted.lspci' > '$work/migration-case/control'
    for _ in \$(seq 100); do grep -q '\"admitted\":true' '$work/migration-case/events.jsonl' && break; sleep 0.1; done"
run_case migration-case migrate "$dsa" --pasid --pri --ats
vcap plan "$dsa" --pasid --pri --ats --contract "$mig/contract.json" > /dev/null
served="$(grep -o '"admitted":false,"rule":"[A-Z_]*"' "$work/migration-case/events.jsonl" | head -1 | sed 's/.*"rule":"//; s/"//')"
checked="$(vcap check-migration "$mig/contract.json" "$mig/refused.lspci" --json | grep -o '"rule":"[A-Z_]*"' | sed 's/.*:"//; s/"//')"
[[ -n "$served" && "$served" == "$checked" ]] && pass "migration: vcap serve refused the destination as check-migration does ($served)" \
    || fail "migration: vcap serve refused with '$served', check-migration with '$checked'"
vcap check-migration "$mig/contract.json" "$mig/admitted.lspci" > /dev/null \
    && pass "migration: check-migration admits the destination vcap serve admitted" \
    || fail "migration: check-migration refuses the destination vcap serve admitted"
finish
