#!/bin/bash
# SPDX-License-Identifier: MIT
# rd.fscrypt.key=VOLUME:SOURCE for a volume the initramfs table lacks: the
# dracut module adds "extra none SOURCE" (provision only), the key (the
# test's wrong key, /etc/fsp-test/wrong.key) lands in the durable keyring and
# on no filesystem, root and data are provisioned as usual, and after
# switch_root 'fscrypt-provision unlock --volume extra /data' unlocks a
# directory encrypted with it. Once with the shell initramfs, once with the
# systemd one.
TEST_DESCRIPTION="rd.fscrypt.key= adds a provision-only volume (shell and systemd initramfs)"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd systemd && INITRD_SYSTEMD=$FSP_INITRD &&
        fsp_initrd shell && INITRD_SHELL=$FSP_INITRD
}

test_run() {
    FSP_INITRD=$INITRD_SHELL
    fsp_boot shell fsp.test=keyarg-add rd.fscrypt.key=extra:/etc/fsp-test/wrong.key
    fsp_expect_pass || return 1
    fsp_scan_canary || return 1
    FSP_INITRD=$INITRD_SYSTEMD
    fsp_boot systemd fsp.test=keyarg-add rd.fscrypt.key=extra:/etc/fsp-test/wrong.key
    fsp_expect_pass || return 1
    fsp_scan_canary
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
