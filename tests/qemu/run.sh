#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every QEMU boot test (tests/qemu/TEST-*/test.sh, or the ones named on
# the command line), prints "ok - NAME" / "not ok - NAME" per test and
# "N passed, N failed" last; exits non-zero if any test failed. Needs root.
#   tests/qemu/run.sh [TEST-NN-NAME...]
#   tests/qemu/run.sh --dist RELEASE [TEST-NN-NAME...]
# --dist runs the tests with another Debian release's kernel, dracut,
# mkinitramfs and systemd (FSP_QEMU_DIST=RELEASE, tests/qemu/dist.sh); with
# no names, the tests whose test.sh has the line "# fsp-qemu: every-release",
# and those of "# fsp-qemu: only RELEASE..." that name it. With no names,
# a test "only" for other releases is left out.
# Settings: see tests/qemu/lib.sh (FSP_QEMU_CACHE, FSP_QEMU_TIMEOUT, ...).
set -u
cd "$(dirname "$0")" || exit 2
start=$SECONDS
passed=0
failed=0
every=
if [[ ${1-} == --dist ]]; then
    [[ ${2-} ]] || { echo "usage: $0 --dist RELEASE [TEST-NN-NAME...]" >&2; exit 2; }
    export FSP_QEMU_DIST=$2
    every=1
    shift 2
fi
# The release the tests build and boot with: --dist's, or this machine's.
# shellcheck source=/dev/null # the machine's own
release=${FSP_QEMU_DIST:-$(. /etc/os-release 2> /dev/null && echo "${VERSION_CODENAME-}")}
# for_release TEST: a test with the line "# fsp-qemu: only RELEASE..." runs
# only with those releases (what it tests does not exist in the others:
# soft-reboot needs systemd 254, which Debian 12 does not have).
for_release() {
    local only
    only=$(sed -n 's/^# fsp-qemu: only //p' "$1/test.sh")
    [[ -z $only || " $only " == *" $release "* ]]
}
if (($#)); then
    tests=("$@")
else
    mapfile -t tests < <(find . -mindepth 2 -maxdepth 2 -path './TEST-*/test.sh' -printf '%h\n' | sed 's|^\./||' | sort)
    mapfile -t tests < <(for t in "${tests[@]}"; do
        for_release "$t" || continue
        [[ -z $every ]] || grep -q -e '^# fsp-qemu: every-release' -e '^# fsp-qemu: only ' "$t/test.sh" && echo "$t"
    done)
fi
# Up to FSP_QEMU_JOBS tests run at once (default: one per CPU, at most 4):
# a TCG guest keeps about one CPU busy, and so does dracut. A test whose
# test.sh has the line "# fsp-qemu: alone" (it changes the host, or
# reads it) runs with no other. Each test's output is shown when it ends.
jobs=${FSP_QEMU_JOBS:-$(nproc)}
((jobs > 4)) && [[ -z ${FSP_QEMU_JOBS-} ]] && jobs=4
outdir=$(mktemp -d /tmp/fsp-qemu-run.XXXXXX) || exit 2
trap 'rm -rf "$outdir"' EXIT
# shellcheck source=../jobs.sh
. ../jobs.sh

qemu_alone() { grep -q '^# fsp-qemu: alone' "$1/test.sh"; }
qemu_start() { "$1/test.sh" > "$outdir/$1.out" 2>&1; }
qemu_report() {
    local t=$1 rc=$2 out
    out=$(cat "$outdir/$t.out")
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
}

found=()
for t in "${tests[@]}"; do
    t=${t%/}
    if [[ -x $t/test.sh ]]; then
        found+=("$t")
    else
        echo "not ok - $t # no such test"
        failed=$((failed + 1))
    fi
done
jobs_each "$jobs" qemu_alone qemu_start qemu_report "${found[@]}"
echo "# qemu suite${FSP_QEMU_DIST:+ ($FSP_QEMU_DIST)}: $((SECONDS - start)) s, $jobs at a time"
echo "$passed passed, $failed failed"
((failed == 0 && passed > 0))
