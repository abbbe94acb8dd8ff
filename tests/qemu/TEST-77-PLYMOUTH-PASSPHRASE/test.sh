#!/bin/bash
# SPDX-License-Identifier: MIT
# The shell initramfs with dracut's plymouth module: plymouthd runs, so the
# helper asks through `plymouth ask-for-password`, which plymouth shows on
# the serial console; a wrong passphrase, then the right one.
TEST_DESCRIPTION="shell initramfs with plymouth: the passphrase is asked through plymouth"

test_check() {
    fsp_require_tools || return 1
    command -v python3 > /dev/null || { echo "python3 is missing" && return 1; }
    command -v plymouth > /dev/null || { echo "plymouth is not installed" && return 1; }
}

test_setup() {
    fsp_assets && fsp_initrd plymouth slots-fscrypttab
}

test_run() {
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/passphrases.env"
    FSP_ANSWERS=$(mktemp "$FSP_QEMU_CACHE/answers.XXXXXX")
    printf '%s\n' not-it "$ROOT_PASS" "$DATA_PASS" > "$FSP_ANSWERS"
    fsp_boot plymouth fsp.test=slots fsp.slots=retry-plymouth
    rm -f "$FSP_ANSWERS"
    FSP_ANSWERS=
    fsp_expect_pass && fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
