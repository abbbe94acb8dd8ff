#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 6 in the systemd initramfs: the unit fails, OnFailure= starts
# emergency.target, and the test module's emergency hook checks the reason
# and that nothing was provisioned for root.
TEST_DESCRIPTION="systemd initramfs: a wrong key fails fscrypt-provision.service into emergency, nothing provisioned"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd systemd
}

test_run() {
    fsp_boot systemd fsp.test=wrong-key rd.fscrypt.key=root:/etc/fsp-test/wrong.key
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
