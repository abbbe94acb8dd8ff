#!/bin/bash
# SPDX-License-Identifier: MIT
# The systemd part: the release's systemd (252 on bookworm, 257 on trixie:
# the host's, or the distribution root's with FSP_QEMU_DIST, copied with
# dracut-install like dracut's own test roots) is PID 1 in the real root, with
# hooks/systemd/fscrypt-provision-generator installed (sdroot.sh) and an fscrypttab whose
# data volume (second virtio disk, provisioned by the systemd initramfs, an
# fstab mount) must be unlocked by the generated unit: at boot, before
# local-fs.target; after systemctl stop/start of data.mount; after umount +
# mount by hand. A plain service (default KeyringMode=private) unlocks by key
# id without possessing the key. Checks: guest/check.sh.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="systemd as PID 1: the generator's unit unlocks the data volume at boot and on every mount; KeyringMode=private suffices"

T60_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# FSP_T60_GENERATOR: another generator to test (to see the test fail).
if [[ ${FSP_T60_GENERATOR-} ]]; then FSP_SDROOT_GENERATOR=$FSP_T60_GENERATOR; fi

test_check() {
    fsp_require_tools && fsp_sdroot_check
}

# t60_overlay DIR: the root's /etc/fstab (the data disk on /data) and
# /etc/fscrypttab (the assets', data not nofail).
t60_overlay() {
    mkdir -p "$1/etc" &&
        echo '/dev/vdb /data ext4 defaults 0 0' > "$1/etc/fstab" &&
        sed 's/initramfs,nofail,/initramfs,/' "$FSP_ASSETS/fscrypttab" > "$1/etc/fscrypttab" &&
        grep -q '^data .* initramfs,identifier=' "$1/etc/fscrypttab"
}

t60_root() {
    local o r
    o=$(mktemp -d "$FSP_QEMU_CACHE/overlay.XXXXXX") || return 1
    t60_overlay "$o" && fsp_sdroot "$T60_DIR/guest" "$o"
    r=$?
    rm -rf "$o"
    T60_ROOT=$FSP_SDROOT
    return $r
}

test_setup() {
    fsp_assets && fsp_initrd systemd && t60_root
}

test_run() {
    # fsp_boot boots $FSP_ASSETS/root.img: point it at the systemd root.
    local assets=$FSP_ASSETS
    FSP_ASSETS=$T60_ROOT
    fsp_boot systemd systemd.unit=fsp-test.target systemd.show_status=1
    FSP_ASSETS=$assets
    fsp_expect_pass
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../sdroot.sh
. "$(dirname "${BASH_SOURCE[0]}")/../sdroot.sh"
fsp_test_main "$@"
