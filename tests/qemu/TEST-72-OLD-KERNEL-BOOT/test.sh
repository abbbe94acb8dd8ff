#!/bin/bash
# SPDX-License-Identifier: MIT
# boot the test-only kernel (no key_id) with a Debian dracut shell
# initramfs and rd.fscrypt.tab=oldkernel.tab, where root is raw-fallback and
# data is nofail. Root's directory must be unlocked with the raw key, nothing
# must be provisioned, the log must say why, and the raw key must be nowhere
# in the guest afterwards.
TEST_DESCRIPTION="test-only minimal kernel: the boot unlocks root with its raw key (raw-fallback) and says why data cannot be"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_test_kernel test-only && fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=oldkernel rd.fscrypt.tab=/etc/fsp-test/oldkernel.tab
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
