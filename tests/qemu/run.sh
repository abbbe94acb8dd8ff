#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every QEMU boot test (tests/qemu/TEST-*/test.sh, or the ones named on
# the command line), prints "ok - NAME" / "not ok - NAME" per test and
# "N passed, N failed" last; exits non-zero if any test failed. Needs root.
#   tests/qemu/run.sh [TEST-NN-NAME...]
# Settings: see tests/qemu/lib.sh (FSP_QEMU_CACHE, FSP_QEMU_TIMEOUT, ...).
set -u
cd "$(dirname "$0")" || exit 2
start=$SECONDS
passed=0
failed=0
if (($#)); then
    tests=("$@")
else
    mapfile -t tests < <(find . -mindepth 2 -maxdepth 2 -path './TEST-*/test.sh' -printf '%h\n' | sed 's|^\./||' | sort)
fi
for t in "${tests[@]}"; do
    t=${t%/}
    if [[ ! -x $t/test.sh ]]; then
        echo "not ok - $t # no such test"
        failed=$((failed + 1))
        continue
    fi
    out=$("$t/test.sh" 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -v -e '^ok - ' -e '^not ok - ' | sed 's/^/  /'
    if ((rc == 0)) && grep -q "^ok - $t" <<< "$out"; then
        grep "^ok - $t" <<< "$out"
        passed=$((passed + 1))
    else
        if grep -q "^not ok - $t" <<< "$out"; then
            grep "^not ok - $t" <<< "$out"
        else
            echo "not ok - $t (exit code $rc)"
        fi
        failed=$((failed + 1))
    fi
done
echo "# qemu suite: $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
