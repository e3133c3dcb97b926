#!/usr/bin/env bash
# fuzz/run.sh — fuzz one Jazzer target for real and keep what it finds as regression inputs.
#
# Usage:  fuzz/run.sh TARGET MINUTES
#         fuzz/run.sh --list
#
#   TARGET   a @FuzzTest method, as Class.method or Class#method (the class's simple name),
#            e.g. LspciTextReaderFuzzTest.read; --list prints every target.
#   MINUTES  how long to fuzz: whole minutes or a decimal (0.5 = 30 s).
#
# What it does:
#   1. Finds the test class under */src/test/java, hence its module and package.
#   2. Creates the target's regression-input directory,
#        MODULE/src/test/resources/<package path>/<Class>Inputs/<method>/
#      Jazzer replays every file there in `mvn test` (regression mode) and, while fuzzing, writes
#      each crashing input there (crash-<sha1>) when the directory exists.
#   3. Runs, from the repository root,
#        JAZZER_FUZZ=1 JAZZER_MAX_DURATION=<seconds>s \
#        mvn -B -ntp -pl MODULE -am test -Dtest='Class#method' \
#            -Dsurefire.failIfNoSpecifiedTests=false -Dvcap.failIfNoTests=false \
#            -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-timeout=$TIMEOUT \
#            -Djazzer.internal.arg.2=-print_final_stats=1
#      JAZZER_MAX_DURATION overrides @FuzzTest(maxDuration). Only one fuzz test may fuzz per JVM,
#      hence the single-method -Dtest. -timeout (libFuzzer's, seconds per input; TIMEOUT, default
#      30) makes an input that does not terminate a finding (timeout-<sha1>); the fuzz tests carry no
#      JUnit @Timeout, which would fail the whole fuzzing run. The log goes to
#      MODULE/target/fuzz/<Class>.<method>.log.
#   4. Moves any crash-/timeout-/oom-/slow-unit- file Jazzer left in the module directory (it does
#      so when the inputs directory is missing) into the inputs directory, so `mvn test` replays it.
#   5. Prints executions and coverage from libFuzzer's output, and the new inputs; appends a line
#      (date, target, seconds asked, executions, seconds run, new inputs) to MODULE/target/fuzz/runs.tsv.
#
# The generated corpus (inputs that found new coverage) is kept in MODULE/target/fuzz-corpus/ between
# runs, not in Jazzer's default MODULE/.cifuzz-corpus/, so a plain `mvn test` does not replay it.
# A new regression input is a finding: fix the bug, keep the input (commit it with the fix).
#
# Exit status: 0 no finding, 1 findings (now regression inputs), 2 usage or build error.
# Environment: JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64); TIMEOUT (default 30).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

list_targets() {
    grep -rl --include='*FuzzTest.java' '@FuzzTest' "$root"/*/src/test/java | sort | while read -r f; do
        class=$(basename "$f" .java)
        grep -A3 '@FuzzTest' "$f" | grep -oE 'void [a-zA-Z0-9_]+\(' | sed -E 's/void ([a-zA-Z0-9_]+)\(/\1/' |
            while read -r m; do echo "$class.$m"; done
    done
}

if [[ ${1:-} == --list ]]; then
    list_targets
    exit 0
fi
if [[ $# -ne 2 ]]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi

target=${1/\#/.}
class=${target%.*}
method=${target##*.}
minutes=$2
if [[ -z $class || -z $method || $class == "$target" ]]; then
    echo "run.sh: TARGET must be Class.method, e.g. LspciTextReaderFuzzTest.read (see --list)" >&2
    exit 2
fi
if ! [[ $minutes =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "run.sh: MINUTES must be a number, got '$minutes'" >&2
    exit 2
fi
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); print (s < 1 ? 1 : s) }')

mapfile -t files < <(find "$root" -path '*/src/test/java/*' -name "$class.java" -not -path '*/target/*')
if [[ ${#files[@]} -ne 1 ]]; then
    echo "run.sh: expected one $class.java under */src/test/java, found ${#files[@]} (see --list)" >&2
    exit 2
fi
file=${files[0]}
if ! grep -qE "void $method\(" "$file"; then
    echo "run.sh: $class has no method $method (see --list)" >&2
    exit 2
fi
module_dir=${file%%/src/test/java/*}
module=${module_dir#"$root"/}
package_path=$(dirname "${file#*/src/test/java/}")
inputs="$module_dir/src/test/resources/$package_path/${class}Inputs/$method"
package=${package_path//\//.}
corpus_kept="$module_dir/target/fuzz-corpus/$package.$class/$method"
corpus_jazzer="$module_dir/.cifuzz-corpus/$package.$class/$method"
log_dir="$module_dir/target/fuzz"
log="$log_dir/$class.$method.log"

mkdir -p "$inputs" "$log_dir"
before=$(mktemp)
trap 'rm -f "$before"' EXIT
(cd "$inputs" && ls -1A) > "$before"

# restore the corpus of earlier runs where Jazzer looks for it
if [[ -d $corpus_kept ]]; then
    mkdir -p "$(dirname "$corpus_jazzer")"
    rm -rf "$corpus_jazzer"
    mv "$corpus_kept" "$corpus_jazzer"
fi

echo "fuzzing $package.$class#$method in $module for ${seconds}s; log: ${log#"$root"/}"
status=0
(cd "$root" && JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" \
    mvn -B -ntp -pl "$module" -am test -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false -Dvcap.failIfNoTests=false \
        -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-timeout="${TIMEOUT:-30}" \
        -Djazzer.internal.arg.2=-print_final_stats=1) \
    > "$log" 2>&1 || status=$?

# keep the generated corpus out of the regression inputs
if [[ -d $corpus_jazzer ]]; then
    mkdir -p "$(dirname "$corpus_kept")"
    rm -rf "$corpus_kept"
    mv "$corpus_jazzer" "$corpus_kept"
    rmdir -p "$(dirname "$corpus_jazzer")" 2>/dev/null || true
fi

# findings Jazzer wrote to the module directory (it does when the inputs directory is missing)
shopt -s nullglob
for f in "$module_dir"/crash-* "$module_dir"/timeout-* "$module_dir"/oom-* "$module_dir"/slow-unit-*; do
    mv "$f" "$inputs/"
done
rm -f "$module_dir"/Crash_*.java

mapfile -t new < <(cd "$inputs" && ls -1A | comm -13 "$before" -)

done_line=$(grep -aE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
cov_line=$(grep -aE '^#[0-9]+ +(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
echo "libFuzzer: ${done_line:-no 'Done' line (see the log)}"
[[ -n $cov_line ]] && echo "last status: $cov_line"
if [[ -n $(grep -aE 'Tests run:' "$log" | tail -1) ]]; then
    echo "surefire: $(grep -aE 'Tests run:' "$log" | tail -1 | sed 's/^\[[A-Z]*\] //')"
fi

# one line per run, for the record: date, target, seconds asked, executions, seconds run, new inputs
runs=$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1\t\2/p' <<<"$done_line")
printf '%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$class.$method" "$seconds" "${runs:-?	?}" "${#new[@]}" \
    >> "$log_dir/runs.tsv"

if [[ ${#new[@]} -gt 0 ]]; then
    echo "FINDINGS: ${#new[@]} new regression input(s) in ${inputs#"$root"/}:"
    for f in "${new[@]}"; do
        echo "  $f"
    done
    grep -aE '^(== Java Exception|Caused by|java\.|[a-zA-Z.]+(Exception|Error)[:$]|DEDUP_TOKEN)' "$log" | head -20 || true
    exit 1
fi
if [[ $status -ne 0 ]]; then
    echo "run.sh: the build failed without a new input; see ${log#"$root"/}" >&2
    grep -aE '^\[ERROR\]' "$log" | head -20 >&2 || true
    exit 2
fi
echo "no findings"
