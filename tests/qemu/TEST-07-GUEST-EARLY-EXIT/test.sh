#!/bin/bash
# SPDX-License-Identifier: MIT
# The guest's init always leaves QEMU with a verdict: an init that stops
# before t_finish (here it exits 3 after one passing check) reports FAIL
# through its EXIT trap, on the marker disk and by isa-debug-exit, instead
# of panicking the kernel and leaving the host to time out.
TEST_DESCRIPTION="guest init: an early exit still powers off with a FAIL verdict"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd shell
}

test_run() {
    local log
    fsp_boot shell fsp.test=early-exit
    log=$(fsp_marker_log)
    printf '%s\n' "$log" | grep -v '^FSP-MARKER' | sed 's/^/#   /'
    if [[ $FSP_QEMU_RC != "$FSP_QEMU_FAIL" ]]; then
        err "QEMU exited $FSP_QEMU_RC, not the FAIL code $FSP_QEMU_FAIL"
        fsp_show_console
        return 1
    fi
    grep -q '^ok - a check before the early exit$' <<< "$log" &&
        grep -q '^not ok - the init script ended before its verdict (3)$' <<< "$log" &&
        grep -q '^RESULT FAIL (1 of 2 checks failed)$' <<< "$log" || {
        err "the marker log lacks the early exit's verdict"
        return 1
    }
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
