#!/bin/bash
# SPDX-License-Identifier: MIT
# the TPM stops unsealing once the initramfs is done.
# The attack: edit the command line at the boot loader to get a shell in
# the initramfs, then unseal the slots file (which is not secret) with the
# TPM. rd.break=pre-pivot (dracut, shell and systemd) and break=bottom
# (initramfs-tools) open that shell after fscrypt-provision ran;
# break=premount before it (item 5: the embedded files must be gone too).
# The test module's emergency hook, or the test's panic script, runs where
# the shell would and tries the attack: the TPM must refuse (PCR 15 was
# extended). The normal initramfs-tools boot of the same image still
# unlocks with no prompt (TEST-80 does it for dracut).
TEST_DESCRIPTION="tpm2 slots after the initramfs: a shell from rd.break=pre-pivot (shell, systemd) or break=bottom|premount (initramfs-tools) cannot unseal; the normal boot unlocks with no prompt"

test_check() {
    fsp_tpm2_require_tools && fsp_itools_require_tools
}

test_setup() {
    fsp_tpm2_setup tpm2-fscrypttab && fsp_itools_tpm2_initrd tpm2-fscrypttab && INITRD_ITOOLS=$FSP_INITRD
}

# t84_boot MODE CASE CMDLINE...: one boot of MODE's image, named CASE.
t84_boot() {
    local mode=$1 case=$2 name=$TEST_NAME
    shift 2
    if [[ $mode == initramfs-tools ]]; then
        FSP_INITRD=$INITRD_ITOOLS
        local FSP_QEMU_APPEND=$FSP_ITOOLS_APPEND
    elif [[ $mode == shell ]]; then
        FSP_INITRD=$INITRD_SHELL
    else
        FSP_INITRD=$INITRD_SYSTEMD
    fi
    TEST_NAME=$name-$mode-$case
    msg "$mode initramfs, $case: $*"
    fsp_tpm2_boot "$mode" "$@"
    TEST_NAME=$name
    fsp_expect_pass && fsp_scan_canary && fsp_tpm2_scan "$FSP_INITRD" "$FSP_ASSETS/root.img" "$FSP_ASSETS/data.img"
}

test_run() {
    local fails=0
    t84_boot shell pre-pivot fsp.test=tpm2-break rd.break=pre-pivot || fails=$((fails + 1))
    t84_boot systemd pre-pivot fsp.test=tpm2-break rd.break=pre-pivot || fails=$((fails + 1))
    t84_boot initramfs-tools bottom fsp.test=tpm2-break break=bottom || fails=$((fails + 1))
    t84_boot initramfs-tools premount fsp.test=tpm2-break break=premount || fails=$((fails + 1))
    t84_boot initramfs-tools sealed fsp.test=tpm2 fsp.tpm2=sealed || fails=$((fails + 1))
    ((fails == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../tpm2.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tpm2.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
