#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 5: rd.fscrypt.tab= selects a table in which root is nofail, and
# rd.fscrypt.key= points root's key source at a file that does not exist. The
# boot must reach the real root with /secret locked, no key provisioned for
# root, the other volume provisioned, and a clear message.
TEST_DESCRIPTION="shell initramfs: a missing key file of a nofail volume leaves it locked and the boot goes on"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=nofail rd.fscrypt.tab=/etc/fsp-test/nofail.tab rd.fscrypt.key=root:/etc/fsp-test/missing.key
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
