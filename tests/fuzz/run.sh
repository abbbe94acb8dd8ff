#!/bin/bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317 # the fuzz_ functions and never run through jobs_each
# Runs every libFuzzer harness in build/fuzz for SECONDS each, from its
# seed corpus in tests/fuzz/corpus/NAME (what a run finds goes to
# build/fuzz/corpus/NAME, never into the tree). One "ok"/"not ok" line per
# harness with its executions; a crash leaves its input in
# build/fuzz/artifacts/. Usage: tests/fuzz/run.sh [SECONDS]
# FUZZ_JOBS harnesses (default: one per CPU) run at once (tests/jobs.sh);
# each is single-threaded, so each still gets a CPU for its SECONDS.
cd "$(dirname "$0")/../.." || exit 2
SECONDS_EACH=${1:-60}
B=build/fuzz
status=0
mkdir -p "$B/artifacts"
# shellcheck source=../jobs.sh
. tests/jobs.sh

fuzz_name() { printf '%s' "${1##*/fuzz_}"; }

# fuzz_start HARNESS: runs it; its verdict goes to build/fuzz/NAME.verdict.
fuzz_start() {
    local name work log execs
    name=$(fuzz_name "$1")
    work=$B/corpus/$name
    log=$B/$name.log
    mkdir -p "$work"
    # -rss_limit_mb: the harnesses keep nothing; more is a leak or a bug.
    if "$1" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$B/artifacts/$name-" \
        "$work" "tests/fuzz/corpus/$name" > "$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "ok - fuzz $name: ${execs:-?} executions in ${SECONDS_EACH} s, no crash ($(find "$work" -type f | wc -l) corpus inputs)"
    else
        echo "not ok - fuzz $name: crashed or failed; see $log and $B/artifacts/"
        grep -E 'ERROR|SUMMARY|artifact' "$log" | head -5 | sed 's/^/#   /'
        return 1
    fi > "$B/$name.verdict"
}

fuzz_report() {
    cat "$B/$(fuzz_name "$1").verdict"
    (($2 == 0)) || status=1
}

never() { false; }

harnesses=()
for f in "$B"/fuzz_*; do
    [ -x "$f" ] && harnesses+=("$f")
done
if ((${#harnesses[@]} == 0)); then
    echo "not ok - fuzz: no harness in $B (make fuzz builds them)"
    exit 1
fi
jobs_each "${FUZZ_JOBS:-$(nproc)}" never fuzz_start fuzz_report "${harnesses[@]}"
exit $status
