#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 1: a shell (non-systemd) dracut initramfs provisions the keys from
# its embedded fscrypttab and unlocks the real root's encrypted directory
# before switch_root; afterwards the keys are in the durable keyring, the
# files are byte-identical, and the raw key is nowhere in the guest.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="shell initramfs: root's encrypted directory unlocked across switch_root"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=root
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
