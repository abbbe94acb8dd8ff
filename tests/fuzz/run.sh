#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs every libFuzzer harness in build/fuzz for SECONDS each, from its
# seed corpus in tests/fuzz/corpus/NAME (what a run finds goes to
# build/fuzz/corpus/NAME, never into the tree). One "ok"/"not ok" line per
# harness with its executions; a crash leaves its input in
# build/fuzz/artifacts/. Usage: tests/fuzz/run.sh [SECONDS]
# FUZZ_JOBS harnesses (default: one per CPU) run at once; each is
# single-threaded, so each still gets a CPU for its SECONDS.
cd "$(dirname "$0")/../.." || exit 2
SECONDS_EACH=${1:-60}
JOBS=${FUZZ_JOBS:-$(nproc)}
B=build/fuzz
mkdir -p "$B/artifacts"

# fuzz_one HARNESS: runs it and writes its verdict to build/fuzz/NAME.verdict.
fuzz_one() {
    f=$1
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
    fi > "$B/$name.verdict"
}

running=0
for f in "$B"/fuzz_*; do
    [ -x "$f" ] || continue
    rm -f "$B/${f##*/fuzz_}.verdict"
    fuzz_one "$f" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait
        running=0
    fi
done
wait

status=0
found=0
for f in "$B"/fuzz_*; do
    [ -x "$f" ] || continue
    found=1
    v=$B/${f##*/fuzz_}.verdict
    if [ -s "$v" ]; then
        cat "$v"
        grep -q '^not ok' "$v" && status=1
    else
        echo "not ok - fuzz ${f##*/fuzz_}: gave no verdict"
        status=1
    fi
done
[ "$found" = 1 ] || {
    echo "not ok - fuzz: no harness in $B (make fuzz builds them)"
    status=1
}
exit $status
