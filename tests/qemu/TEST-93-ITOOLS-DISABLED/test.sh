#!/bin/bash
# SPDX-License-Identifier: MIT
# TEST-45's scenario with an initramfs-tools image: rd.fscrypt=0 on the
# kernel command line, and the boot script does nothing.
TEST_DESCRIPTION="initramfs-tools image: rd.fscrypt=0 leaves everything locked (TEST-45's scenario)"

test_check() {
    fsp_itools_require_tools
}

test_setup() {
    fsp_assets && fsp_itools_initrd fscrypttab
}

test_run() {
    fsp_itools_boot fsp.test=disabled rd.fscrypt=0
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
