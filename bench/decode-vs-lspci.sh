#!/usr/bin/env bash
# Whole-program comparison: vcap inspect --json against lspci -F -vvv on one file of N devices.
#   bench/decode-vs-lspci.sh [N]          (default N = 100000)
# Builds bench/out/devices-N.lspci from the corpus (unique addresses, 4 KiB dumps only), then runs
# each program once on it, output to a file, under /usr/bin/time; prints wall time, throughput,
# peak RSS and the ratio. Needs: lspci (pciutils), python3, GNU time, JDK 25.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-100000}"
corpus="${VCAP_CORPUS:-$root/../shared/corpus}/dumps"
out="$root/bench/out"
mkdir -p "$out"
input="$out/devices-$n.lspci"

[[ -d "$corpus" ]] || { echo "corpus not found at $corpus (set VCAP_CORPUS)" >&2; exit 3; }
command -v lspci >/dev/null || { echo "lspci not installed (apt-get install -y pciutils)" >&2; exit 3; }
[[ -x /usr/bin/time ]] || { echo "GNU time not installed (apt-get install -y time)" >&2; exit 3; }

if [[ ! -s "$input" ]]; then
    python3 "$root/bench/make-devices.py" "$corpus" "$n" "$input"
fi
"$root/vcap" --version >/dev/null   # build outside the timed run

measure() { # name, command...
    local name="$1"; shift
    local log="$out/$name.time"
    /usr/bin/time -v "$@" > "$out/$name.out" 2> "$log" || { cat "$log" >&2; exit 1; }
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    python3 - "$name" "$wall" "$rss" "$n" <<'PY'
import sys
name, wall, rss, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
parts = [float(p) for p in wall.split(':')]
secs = parts[-1] + (parts[-2] * 60 if len(parts) > 1 else 0) + (parts[-3] * 3600 if len(parts) > 2 else 0)
print(f"{name:6s} {secs:8.2f} s  {n / secs:10.0f} devices/s  peak RSS {rss / 1024:7.1f} MiB")
PY
    echo "$wall" > "$out/$name.wall"
}

echo "input: $input ($(du -h "$input" | cut -f1), $n devices)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
measure lspci lspci -F "$input" -vvv
measure vcap "$root/vcap" inspect --json "$input"
python3 - "$out/lspci.wall" "$out/vcap.wall" <<'PY'
import sys
def secs(path):
    parts = [float(p) for p in open(path).read().strip().split(':')]
    return parts[-1] + (parts[-2] * 60 if len(parts) > 1 else 0) + (parts[-3] * 3600 if len(parts) > 2 else 0)
l, v = secs(sys.argv[1]), secs(sys.argv[2])
print(f"vcap throughput = {l / v:.1f} x lspci")
PY
