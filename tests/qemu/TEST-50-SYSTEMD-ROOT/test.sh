#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 2: like TEST-10, with dracut's systemd initramfs and
# fscrypt-provision.service instead of the pre-pivot hook. The real root stays
# busybox. The keys must land in root's user keyring, not in the unit's
# session keyring that dies with it.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="systemd initramfs: fscrypt-provision.service unlocks root's encrypted directory; keys survive in @u"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd systemd
}

test_run() {
    fsp_boot systemd fsp.test=root
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
