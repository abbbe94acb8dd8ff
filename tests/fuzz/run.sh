#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every libFuzzer harness in build/fuzz for SECONDS each, from its
# seed corpus in tests/fuzz/corpus/NAME (what a run finds goes to
# build/fuzz/corpus/NAME, never into the tree). One "ok"/"not ok" line per
# harness with its executions; a crash leaves its input in
# build/fuzz/artifacts/. Usage: tests/fuzz/run.sh [SECONDS]
cd "$(dirname "$0")/../.." || exit 2
SECONDS_EACH=${1:-60}
B=build/fuzz
status=0
mkdir -p "$B/artifacts"
for f in "$B"/fuzz_*; do
    [ -x "$f" ] || continue
    name=${f##*/fuzz_}
    work=$B/corpus/$name
    log=$B/$name.log
    mkdir -p "$work"
    # -rss_limit_mb: the harnesses keep nothing; more is a leak or a bug.
    if "$f" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$B/artifacts/$name-" \
        "$work" "tests/fuzz/corpus/$name" > "$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "ok - fuzz $name: ${execs:-?} executions in ${SECONDS_EACH} s, no crash ($(find "$work" -type f | wc -l) corpus inputs)"
    else
        echo "not ok - fuzz $name: crashed or failed; see $log and $B/artifacts/"
        grep -E 'ERROR|SUMMARY|artifact' "$log" | head -5 | sed 's/^/#   /'
        status=1
    fi
done
exit $status
