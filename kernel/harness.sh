#!/usr/bin/env bash
# harness.sh — hold vcap's host model against real Linux kernels.
#
# Usage:
#   kernel/harness.sh [--kernel IMAGE]... [--results DIR]
#
# For each kernel (default: both images in ../shared/kernel, 7.3.4 with the vfio PASID attach
# uAPI and 6.12.118 without; when that folder is absent, the images kernel/build-kernel.sh
# builds into kernel/build, building them first if needed), it boots a QEMU guest with
# kernel/vm.sh — TCG, q35, a scalable-mode intel-iommu, QEMU's e1000e, nvme and virtio-net
# (ATS) bound to vfio-pci, the host's root filesystem over 9p — and runs kernel/guest-suite.sh
# in it: the real-kernel JUnit suite under the JUnit Platform console launcher, then `vcap host
# --json`, `vcap inspect ADDR` and `vcap probe ADDR` on the live host. Back on the host,
# dev.vcap.kernel.harness.HarnessReport reads each guest's results, asserts, prints what every
# test did, and ends with the line `N passed, N failed`. Exit status 0 only when nothing failed.
#
# The tests live in their own module, vcap-kernel-tests (src/test/java, dev.vcap.kernel): they
# depend on the Linux backend (vcap-linux), on vcap-vmm and on vcap-guest for the end-to-end test,
# which the backend itself must not depend on; and `mvn verify` runs them on any machine, where
# they skip, saying so, without /dev/iommu. Inside the guest -Dvcap.kernel.required=true turns
# every such skip into a failure.
#
# Adding a test: a JUnit 5 class named *Test in vcap-kernel-tests/src/test/java/dev/vcap/kernel
# that calls KernelRequirement.assumeKernel() first; publish what it did with TestReporter (the
# report prints those entries under the test's line). The harness builds the project when a
# source is newer than its build output (mvn package -DskipTests of vcap-kernel-tests and
# vcap-cli), so a plain `kernel/harness.sh` after an edit runs the new test.
#
# Every guest's results stay in DIR/IMAGE-NAME (default DIR: a new temporary directory, printed):
# the JUnit XML report, the CLI's outputs, the console and dmesg. Timings on 2 cores: docs/LINUX.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

kernels=()
results=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --kernel) kernels+=("${2:?--kernel needs an image}"); shift 2 ;;
        --results) results="${2:?--results needs a directory}"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "harness.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done

for d in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-*; do
    if [[ -n "$d" && -x "$d/bin/java" ]] && "$d/bin/java" -version 2>&1 | grep -q 'version "25'; then
        export JAVA_HOME="$d"; break
    fi
done
"${JAVA_HOME:-/nonexistent}/bin/java" -version 2>&1 | grep -q 'version "25' \
    || { echo "harness.sh: JDK 25 not found; set JAVA_HOME (see README)" >&2; exit 2; }

if [[ ${#kernels[@]} -eq 0 ]]; then
    shared="$repo/../shared/kernel"
    if ls "$shared"/bzImage-* >/dev/null 2>&1; then
        mapfile -t kernels < <(ls -1 "$shared"/bzImage-* | sort -V -r)
    else
        for v in 7.3 6.12; do
            built="$(ls -1 "$here"/build/bzImage-"$v".* 2>/dev/null | tail -n 1 || true)"
            if [[ -z "$built" ]]; then
                echo "harness: no kernel in $shared; building $v from Debian's linux-source (about 6.5 min)" >&2
                built="$("$here/build-kernel.sh" --version "$v" | tail -n 1)"
            fi
            kernels+=("$built")
        done
    fi
fi

# Build what the guest runs when a source is newer than the build output.
stamp="$repo/vcap-kernel-tests/target/kernel-harness/classpath"
cli_jar="$repo/vcap-cli/target/vcap-cli.jar"
if [[ ! -f "$stamp" || ! -f "$cli_jar" || -n "$(find "$repo" \( -name target -o -name .git \) -prune -o \
        \( -name '*.java' -o -name pom.xml -o -path '*/src/*/resources/*' \) \( -newer "$stamp" -o -newer "$cli_jar" \) \
        -print -quit)" ]]; then
    echo "harness: building (mvn package -DskipTests) ..." >&2
    log="$(mktemp)"
    if ! mvn -B -ntp -DskipTests package -pl vcap-kernel-tests,vcap-cli -am >"$log" 2>&1; then
        grep -E '^\[(ERROR|WARNING)\]' "$log" >&2 || cat "$log" >&2
        echo "harness: build failed (full log: $log)" >&2
        exit 1
    fi
    rm -f "$log"
fi

if [[ -z "$results" ]]; then
    results="$(mktemp -d /tmp/vcap-harness.XXXXXX)"
fi
mkdir -p "$results"
dirs=()
total_start=$(date +%s)
for k in "${kernels[@]}"; do
    name="$(basename "$k")"
    rm -rf "${results:?}/$name"
    start=$(date +%s)
    rc=0
    "$here/vm.sh" --kernel "$k" --results "$results/$name" --timeout 900 --quiet -- kernel/guest-suite.sh || rc=$?
    echo "harness: $name: guest ran $(( $(date +%s) - start )) s (vm.sh exit $rc)"
    dirs+=("$results/$name")
done
echo "harness: ${#kernels[@]} kernel(s) in $(( $(date +%s) - total_start )) s; results in $results"

cp="$repo/vcap-kernel-tests/target/test-classes:$(cat "$stamp")"
exec "$JAVA_HOME/bin/java" -cp "$cp" dev.vcap.kernel.harness.HarnessReport "${dirs[@]}"
