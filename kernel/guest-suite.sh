#!/bin/sh
# guest-suite.sh — what kernel/harness.sh runs inside each guest (through kernel/vm.sh), from the
# repository's root: the real-kernel JUnit suite under the JUnit Platform console launcher, then
# the CLI on the live host. Everything lands in the results share ($VCAP_VM_RESULTS); the host side
# (dev.vcap.kernel.harness.HarnessReport) reads it and asserts. This script asserts nothing itself
# and always exits 0 once it has run everything: a failing step is a result, not an abort.
R="$VCAP_VM_RESULTS"
H=vcap-kernel-tests/target/kernel-harness
mkdir -p "$R/junit" "$R/cli"

uname -r > "$R/kernel-release"
dmesg > "$R/dmesg-before.txt" 2>&1

start=$(date +%s)
"$JAVA_HOME/bin/java" -Xmx1g --enable-native-access=ALL-UNNAMED \
    -Dvcap.kernel.required=true -Dvcap.kernel.results="$R" \
    -jar "$H/junit-platform-console-standalone.jar" execute \
    --disable-banner --disable-ansi-colors --details=none \
    --class-path "vcap-kernel-tests/target/test-classes:$(cat "$H/classpath")" \
    --scan-class-path vcap-kernel-tests/target/test-classes \
    --include-classname '.*Test' \
    --reports-dir "$R/junit" > "$R/junit/console.txt" 2>&1
echo "$?" > "$R/junit/status"
echo "$(( $(date +%s) - start ))" > "$R/junit/seconds"

# The CLI on the live host: each command's output, standard error and exit status.
cli() {
    name="$1"; shift
    timeout 300 "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx512m -jar vcap-cli/target/vcap-cli.jar "$@" \
        > "$R/cli/$name.out" 2> "$R/cli/$name.err"
    echo "$?" > "$R/cli/$name.status"
}
cli host-json host --json
cli inspect inspect 0000:01:00.0
cli probe probe 0000:01:00.0

dmesg > "$R/dmesg.txt" 2>&1
exit 0
