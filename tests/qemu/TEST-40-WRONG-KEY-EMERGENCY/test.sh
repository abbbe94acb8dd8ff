#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 6: rd.fscrypt.key= gives root a key whose identifier does not match
# /secret's policy. root is not nofail, so the hook must call die; the test
# module's emergency hook then checks, inside the initramfs, that the reason
# names both identifiers and that nothing was provisioned or unlocked.
TEST_DESCRIPTION="shell initramfs: a wrong key for a volume without nofail stops the boot (die) and provisions nothing"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=wrong-key rd.fscrypt.key=root:/etc/fsp-test/wrong.key
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
