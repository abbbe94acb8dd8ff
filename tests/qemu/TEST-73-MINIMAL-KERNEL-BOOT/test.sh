#!/bin/bash
# SPDX-License-Identifier: MIT
# the control for TEST-72. The same initramfs and root on the
# unpatched minimal kernel: scenario 1's checks (root unlocked by key_id,
# both keys in the durable keyring, no raw key anywhere) must pass.
TEST_DESCRIPTION="unpatched minimal kernel: the boot provisions by key_id (control for TEST-72)"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_test_kernel unpatched && fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=root
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
