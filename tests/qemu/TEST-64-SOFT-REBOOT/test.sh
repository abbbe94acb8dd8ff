#!/bin/bash
# SPDX-License-Identifier: MIT
# systemd's soft-reboot (254 and later: Debian 13), the update this project
# exists for: userspace restarts, the kernel and its keyrings stay. With
# systemd as PID 1 in the real root (sdroot.sh), /data's key provisioned in
# the initramfs from a slots file (a tpm2 slot sealed to PCR 7, and a
# passphrase), the guest (guest/check.sh) runs the soft-reboot flow that
# fscrypt-provision-update(8) documents, twice: a plain soft-reboot, then
# one into a second root image mounted on /run/nextroot, as an A/B update
# would. Before them the update unmounts and mounts /data itself, and the
# host stops swtpm (the guest asks on the console and waits until the TPM
# is gone): /data must come back unlocked with no TPM, no prompt and no
# secret read, byte-identical, the same provisioning keys, and on the new
# root its own /secret too. The guest times the soft-reboots and the first
# boot; then a canary scan.
# fsp-qemu: only trixie
TEST_DESCRIPTION="soft-reboot: /data stays unlocked across systemctl soft-reboot and one into /run/nextroot, with the TPM stopped, no prompt, no secret read"

T64_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

test_check() {
    local v
    fsp_tpm2_require_tools && fsp_sdroot_check || return 1
    # shellcheck disable=SC2016 # dpkg-query's own ${...}
    v=$(fsp_in_dist dpkg-query -W -f '${Version}' systemd 2> /dev/null)
    if [[ ${v%%[.~-]*} -lt 254 ]] 2> /dev/null || [[ -z $v ]]; then
        echo "systemd ${v:-?} has no soft-reboot (254 and later): run it with the tools of Debian 13 (run.sh --dist trixie)"
        return 1
    fi
}

# t64_overlay DIR SLOT: the root's /etc/fstab, /etc/fscrypttab (the TPM
# initramfs's, data not nofail, with its slots files in /etc/fsp-test, where
# update pre reads them), the update entry point, and which root image it is
# (/etc/fsp-slot).
t64_overlay() {
    mkdir -p "$1/etc/fsp-test" "$1/usr/sbin" &&
        echo '/dev/vdb /data ext4 defaults 0 0' > "$1/etc/fstab" &&
        install -m 0600 "$FSP_TPM2/keys/root-tpm.slots" "$FSP_TPM2/keys/data-tpm.slots" "$1/etc/fsp-test/" &&
        sed -e 's/initramfs,nofail,/initramfs,/' -e "s|slots:$FSP_TPM2/keys/|slots:/etc/fsp-test/|" \
            "$FSP_TPM2/tpm2-fscrypttab" > "$1/etc/fscrypttab" &&
        grep -q '^data /data slots:/etc/fsp-test/data-tpm.slots vault initramfs,identifier=' "$1/etc/fscrypttab" &&
        install -m 0755 "$FSP_REPO/hooks/fscrypt-provision-update" "$1/usr/sbin/fscrypt-provision-update" &&
        echo "$2" > "$1/etc/fsp-slot"
}

# t64_root SLOT: that root image; sets T64_<SLOT>, its directory.
t64_root() {
    local o r
    o=$(mktemp -d "$FSP_QEMU_CACHE/overlay.XXXXXX") || return 1
    t64_overlay "$o" "$1" && fsp_sdroot "$T64_DIR/guest" "$o"
    r=$?
    rm -rf "$o"
    printf -v "T64_$1" '%s' "$FSP_SDROOT"
    return $r
}

test_setup() {
    fsp_assets && fsp_tpm2_assets && fsp_tpm2_initrd systemd tpm2-fscrypttab && t64_root A && t64_root B
}

test_run() {
    local assets=$FSP_ASSETS r
    FSP_ASSETS=$T64_A
    # shellcheck disable=SC2054 # QEMU's commas, one option each
    FSP_BOOT_DISKS=(-drive "file=$T64_B/root.img,format=raw,if=none,id=next,snapshot=on"
        -device virtio-blk-pci,drive=next,serial=fspnext)
    FSP_MARKER_SIZE=512M FSP_TPM2_STOP_AT='FSP-STOP-THE-TPM' \
        fsp_tpm2_boot systemd systemd.unit=fsp-test.target systemd.show_status=1
    FSP_ASSETS=$assets
    fsp_expect_pass && fsp_scan_canary && fsp_tpm2_scan "$FSP_INITRD" "$T64_A/root.img" "$T64_B/root.img"
    r=$?
    if grep -q -a 'for fscrypt volume' "$FSP_RUN/console.log"; then
        err "the console asked for a passphrase"
        r=1
    fi
    fsp_marker_log | sed -n 's/^time: /# time: /p'
    return $r
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../tpm2.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tpm2.sh"
# shellcheck source=../sdroot.sh
. "$(dirname "${BASH_SOURCE[0]}")/../sdroot.sh"
fsp_test_main "$@"
