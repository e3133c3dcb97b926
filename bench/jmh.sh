#!/usr/bin/env bash
# Runs JMH benchmarks of vcap-bench: bench/jmh.sh [REGEX] [JMH options...]
#   bench/jmh.sh VirtualConfigSpace -prof gc
# Builds vcap-bench first. Figures go into docs/PERFORMANCE.md with the machine and date.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
for d in /usr/lib/jvm/temurin-25-jdk-*; do [[ -x "$d/bin/java" ]] && export JAVA_HOME="$d"; done
(cd "$root" && mvn -B -ntp -q -DskipTests package -pl vcap-bench -am >&2)
exec "$JAVA_HOME/bin/java" -cp "$root/vcap-bench/target/classes:$root/vcap-bench/target/lib/*" org.openjdk.jmh.Main "$@"
