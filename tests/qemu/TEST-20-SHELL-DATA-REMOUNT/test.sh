#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenarios 3 and 4: the initramfs provisions the data volume's key without
# the volume being mounted; the real system mounts it and unlocks it with
# 'fscrypt-provision unlock' from a fresh session keyring that does not
# possess the key, then simulates updates: umount + mount, and mount on a
# staging directory + mount --move; each time the volume is locked again and
# unlocked by key id. The raw keys must be nowhere in the guest.
TEST_DESCRIPTION="shell initramfs: data volume unlocked by key id after switch_root, umount/mount and mount --move"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd shell
}

test_run() {
    fsp_boot shell fsp.test=data
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-DATA FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
