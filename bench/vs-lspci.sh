#!/usr/bin/env bash
# vcap side by side with lspci: start-up, then inspect, plan and survey on N devices, with the
# ratios the goals of docs/PERFORMANCE.md name.
#   bench/vs-lspci.sh [N...]            (default: 20000 100000)
# Inputs are built by bench/make-devices.py from the corpus's 4 KiB dumps of functions vfio-pci
# binds (116 distinct devices, cycled, each at an address of its own) into bench/out/. Every
# program reads its input from the page cache (read once just before) and writes to /dev/null, so the
# disk is not measured; lspci -F -vvv is the reference.
# Start-up: hyperfine (apt-get install -y hyperfine), 3 warm-ups and 20 runs of each command;
# throughput: the median of 3 runs under GNU time (one run above 20,000 devices), wall time and
# peak RSS. Needs lspci, python3, GNU time, JDK 25. The load average is printed before and after
# each part: on a shared machine, rerun when it is high. About 6 minutes on 2 cores for the
# default sizes.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sizes=("${@:-20000}")
[[ $# -gt 0 ]] || sizes=(20000 100000)
corpus="${VCAP_CORPUS:-$root/../shared/corpus}/dumps"
out="$root/bench/out"
mkdir -p "$out"
vcap="$root/vcap"

[[ -d "$corpus" ]] || { echo "corpus not found at $corpus (set VCAP_CORPUS)" >&2; exit 3; }
command -v lspci >/dev/null || { echo "lspci not installed (apt-get install -y pciutils)" >&2; exit 3; }
command -v hyperfine >/dev/null || { echo "hyperfine not installed (apt-get install -y hyperfine)" >&2; exit 3; }
[[ -x /usr/bin/time ]] || { echo "GNU time not installed (apt-get install -y time)" >&2; exit 3; }

"$vcap" --version >/dev/null   # build outside the timed runs
if [[ ! -r "${JAVA_HOME:-}/release" ]] || ! grep -q '^JAVA_VERSION="2[5-9]' "$JAVA_HOME/release"; then
    for JAVA_HOME in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*-25-* /usr/lib/jvm/jdk-25* ""; do
        [[ -x "$JAVA_HOME/bin/java" ]] && break
    done
fi
[[ -n "$JAVA_HOME" ]] || { echo "JDK 25 not found: set JAVA_HOME" >&2; exit 3; }
load() { # the load average, and a warning when other work shares the cores
    local l
    l="$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "load average: $l"
    if (( $(echo "${l%% *} > $(nproc) / 2" | bc -l) )); then
        echo "  (other work is running: figures are slower than on an idle machine; rerun when the load is low)"
    fi
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
" $(free -g | awk '/Mem:/ {print $2}') GiB; $("$vcap" --version | tail -1); $(lspci --version); $(date -u +%Y-%m-%dT%H:%MZ)"
results="$out/results.tsv"
: > "$results"

# ------------------------------------------------------------------ start-up
one="$out/one-device.lspci"
[[ -s "$one" ]] || python3 "$root/bench/make-devices.py" "$corpus" 1 "$one" 8086-0b25
echo
echo "== start-up (hyperfine: mean of 20 runs after 3 warm-ups; one device: Intel DSA 8086:0b25)"
load
# the steps: the JVM with no class-data sharing, with the JDK's default CDS archive, then with the
# ahead-of-time cache the build made (what ./vcap passes); then ./vcap itself (its stale check too)
java="$JAVA_HOME/bin/java -XX:+UseSerialGC -Xmx512m --enable-native-access=ALL-UNNAMED"
jar="$root/vcap-cli/target/vcap-cli.jar"
hyperfine -N -w 3 -r 20 --export-json "$out/startup.json" \
    -n "lspci -F one -vvv" "lspci -F $one -vvv" \
    -n "java -Xshare:off: --help" "$java -Xshare:off -jar $jar --help" \
    -n "java, default CDS: --help" "$java -jar $jar --help" \
    -n "java, AOT cache: --help" "$java -XX:AOTCache=$root/vcap-cli/target/vcap.aot -jar $jar --help" \
    -n "vcap --help" "$vcap --help" \
    -n "vcap inspect one" "$vcap inspect $one" \
    -n "vcap inspect --json one" "$vcap inspect --json $one" >/dev/null
python3 - "$out/startup.json" "$results" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
with open(sys.argv[2], "a") as r:
    for x in runs:
        print(f"  {x['command']:26s} {1000 * x['mean']:7.1f} ms ± {1000 * x['stddev']:5.1f}   (min {1000 * x['min']:.1f})")
        r.write(f"startup\t{x['command']}\t{x['mean']}\n")
PY
load

# ------------------------------------------------------------------ throughput
measure() { # label, n, command...: the median wall time of $runs runs (the largest peak RSS), output to /dev/null
    local label="$1" n="$2"; shift 2
    local log="$out/$label-$n.time" i rc
    : > "$log.all"
    for ((i = 0; i < runs; i++)); do
        cat "$input" > /dev/null   # from the page cache, as every program reads it: the disk is not measured
        rc=0
        /usr/bin/time -f "%e %M" -o "$log" "$@" > /dev/null 2> "$out/$label-$n.err" || rc=$?
        # plan and survey exit 4 or 3 on some inputs by design; anything else is a failure
        [[ $rc == 0 || $rc == 3 || $rc == 4 ]] || { cat "$out/$label-$n.err" >&2; exit 1; }
        tail -1 "$log" >> "$log.all"
    done
    wall="$(sort -n "$log.all" | awk '{w[NR] = $1} END {print w[int((NR + 1) / 2)]}')"
    rss="$(sort -k2 -n "$log.all" | tail -1 | cut -d' ' -f2)"
    printf "  %-22s %8.2f s %10.0f devices/s  peak RSS %7.1f MiB   (runs: %s)\n" "$label" "$wall" \
        "$(echo "$n / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$(cut -d' ' -f1 "$log.all" | tr '\n' ' ')"
    printf "%s\t%s\t%s\t%s\n" "$label" "$n" "$wall" "$rss" >> "$results"
}

for n in "${sizes[@]}"; do
    input="$out/devices-$n.lspci"
    [[ -s "$input" ]] || python3 "$root/bench/make-devices.py" "$corpus" "$n" "$input"
    echo
    runs=$(( n <= 20000 ? 3 : 1 ))   # lspci takes most of a minute at 100,000 devices
    echo "== $n devices ($(du -h "$input" | cut -f1)), median of $runs run(s) each"
    load
    measure "lspci -F -vvv" "$n" lspci -F "$input" -vvv
    measure "vcap inspect --json" "$n" "$vcap" inspect --json "$input"
    measure "vcap plan --json" "$n" "$vcap" plan --pasid --pri --json "$input"
    measure "vcap survey" "$n" "$vcap" survey "$input"
    load
done

# ------------------------------------------------------------------ ratios against the goals
echo
echo "== ratios (goal in brackets)"
python3 - "$results" <<'PY'
import sys
start, runs = {}, {}
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "startup":
        start[f[1]] = float(f[2])
    else:
        runs[(f[0], int(f[1]))] = (float(f[2]), int(f[3]))
def verdict(ok):
    return "met" if ok else "MISSED"
for name in ("vcap --help", "vcap inspect one"):
    ms = 1000 * start[name]
    print(f"  {name:34s} {ms:7.1f} ms          [<= 150 ms]  {verdict(ms <= 150)}")
for n in sorted({k[1] for k in runs}):
    lspci = runs[("lspci -F -vvv", n)][0]
    inspect, rss = runs[("vcap inspect --json", n)]
    goal = 12 if n >= 100000 else 8
    print(f"  inspect --json at {n:6d}: {lspci / inspect:5.1f}x lspci   [>= {goal}x]  {verdict(lspci / inspect >= goal)};"
          f" peak RSS {rss / 1024:.0f} MiB [< 512]  {verdict(rss < 512 * 1024)}")
    for cmd in ("vcap plan --json", "vcap survey"):
        t = runs[(cmd, n)][0]
        print(f"  {cmd[5:]:14s} at {n:6d}: {lspci / t:5.1f}x lspci   [>= 5x]  {verdict(lspci / t >= 5)};"
              f" {t / inspect:4.2f}x inspect's time [<= 2x]  {verdict(t / inspect <= 2)}")
PY
