#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 6, nofail: like TEST-40 but root is nofail (rd.fscrypt.tab=), so
# the boot reaches the real root, where /secret must still be locked and no key
# of root provisioned.
TEST_DESCRIPTION="shell initramfs: a wrong key for a nofail volume is refused, nothing half-provisioned, boot goes on"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=wrong-nofail rd.fscrypt.tab=/etc/fsp-test/nofail.tab rd.fscrypt.key=root:/etc/fsp-test/wrong.key
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
