#!/bin/bash
# SPDX-License-Identifier: MIT
# TEST-40's scenario with an initramfs-tools image: rd.fscrypt.key= gives
# root a key that does not match /secret's policy; root is not nofail, so
# the boot script calls panic with the reason, and the test's panic script
# checks in the initramfs that nothing was provisioned or unlocked.
TEST_DESCRIPTION="initramfs-tools image: a wrong key for a volume without nofail panics with the reason, and provisions nothing (TEST-40's scenario)"

test_check() {
    fsp_itools_require_tools
}

test_setup() {
    fsp_assets && fsp_itools_initrd fscrypttab
}

test_run() {
    fsp_itools_boot fsp.test=wrong-key rd.fscrypt.key=root:/etc/fsp-test/wrong.key
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
