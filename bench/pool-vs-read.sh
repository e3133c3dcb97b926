#!/usr/bin/env bash
# Pool planning against reading, on N devices (default 100000): a mixed pool (every 4 KiB corpus
# dump of a function vfio-pci binds, cycled) and a homogeneous one (N copies of Intel DSA
# 8086:0b25). Target: pooling costs at most 2x reading. Prints the times; figures go into
# docs/PERFORMANCE.md with the machine and date.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-100000}"
corpus="${VCAP_CORPUS:-$root/../shared/corpus}/dumps"
out="$root/bench/out"
mkdir -p "$out"
for d in /usr/lib/jvm/temurin-25-jdk-*; do [[ -x "$d/bin/java" ]] && export JAVA_HOME="$d"; done
[[ -s "$out/devices-$n.lspci" ]] || python3 "$root/bench/make-devices.py" "$corpus" "$n" "$out/devices-$n.lspci"
[[ -s "$out/dsa-$n.lspci" ]] || python3 "$root/bench/make-devices.py" "$corpus" "$n" "$out/dsa-$n.lspci" 8086-0b25
(cd "$root" && mvn -B -ntp -q -DskipTests package -pl vcap-bench -am >&2)
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
for f in "$out/devices-$n.lspci" "$out/dsa-$n.lspci"; do
    echo "== $(basename "$f")"
    "$JAVA_HOME/bin/java" -Xmx1g -XX:+UseSerialGC -cp "$root/vcap-bench/target/classes:$root/vcap-bench/target/lib/*" \
        dev.vcap.bench.PoolThroughput "$f" 3
done
