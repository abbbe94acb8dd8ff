#!/bin/bash
# SPDX-License-Identifier: MIT
# TEST-20's scenario with an initramfs-tools image: the data volume's key,
# provisioned at boot, unlocks it again by key id after an unmount and
# remount in the real system.
TEST_DESCRIPTION="initramfs-tools image: data unmounted and remounted, unlocked again by key id (TEST-20's scenario)"

test_check() {
    fsp_itools_require_tools
}

test_setup() {
    fsp_assets && fsp_itools_initrd fscrypttab
}

test_run() {
    fsp_itools_boot fsp.test=data
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-DATA FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
