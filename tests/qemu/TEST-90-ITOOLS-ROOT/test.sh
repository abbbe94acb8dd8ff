#!/bin/bash
# SPDX-License-Identifier: MIT
# TEST-10's scenario with an initramfs built by Debian's mkinitramfs: the
# boot script provisions the keys from the embedded fscrypttab and unlocks
# the real root's encrypted directory in local-bottom, before init.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="initramfs-tools image: root's encrypted directory unlocked in local-bottom, before init (TEST-10's scenario)"

test_check() {
    fsp_itools_require_tools
}

test_setup() {
    fsp_assets && fsp_itools_initrd fscrypttab
}

test_run() {
    fsp_itools_boot fsp.test=root
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
