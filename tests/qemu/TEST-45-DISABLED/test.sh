#!/bin/bash
# SPDX-License-Identifier: MIT
# rd.fscrypt=0: the hook does nothing, /secret stays locked, no key is
# provisioned, and the boot goes on.
TEST_DESCRIPTION="shell initramfs: rd.fscrypt=0 disables the module"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=disabled rd.fscrypt=0
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
