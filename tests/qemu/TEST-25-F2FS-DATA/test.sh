#!/bin/bash
# SPDX-License-Identifier: MIT
# TEST-20's data scenario on f2fs: the data disk is an f2fs volume
# (mkfs.f2fs -O encrypt) whose vault/ is encrypted with data's key; the shell
# initramfs provisions data's key. After switch_root the volume is mounted
# (the kernel loads f2fs through /sbin/modprobe from the real root's
# /lib/modules, as on a Debian system), unlocked by key id from a session
# that does not possess the key, unmounted, mounted and unlocked again; the
# files stay byte-identical and the raw keys are nowhere in the guest. On the
# host: the shell initramfs carries f2fs.ko, which only 50fscrypt-provision's
# installkernel puts into a non-host-only image.
TEST_DESCRIPTION="shell initramfs: f2fs data volume unlocked by key id after switch_root and after umount/mount"

test_check() {
    fsp_require_tools || return 1
    command -v mkfs.f2fs > /dev/null && command -v fsck.f2fs > /dev/null &&
        command -v kmod > /dev/null && command -v depmod > /dev/null ||
        { echo "missing: mkfs.f2fs, fsck.f2fs (f2fs-tools), kmod, depmod" && return 1; }
    grep -q '/f2fs\.ko[.a-z]*:' "$FSP_KMODDIR/modules.dep" ||
        { echo "$FSP_KMODDIR has no f2fs module" && return 1; }
}

test_setup() {
    fsp_assets && fsp_initrd shell && fsp_f2fs_assets
}

test_run() {
    local FSP_ASSETS=$FSP_F2FS_ASSETS sums
    if [[ " $FSP_DRACUT_DRIVERS " == *" f2fs "* ]] ||
        ! lsinitrd "$FSP_INITRD" 2> /dev/null | grep -q '/kernel/fs/f2fs/f2fs\.ko'; then
        err "the shell initramfs lacks f2fs.ko from 50fscrypt-provision's installkernel"
        return 1
    fi
    sums=$(sha256sum < "$FSP_ASSETS/vault.sha256" | cut -c1-64)
    fsp_boot shell fsp.test=f2fs "fsp.sums=$sums"
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-F2FS FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
