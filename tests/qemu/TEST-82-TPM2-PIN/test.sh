#!/bin/bash
# SPDX-License-Identifier: MIT
# The PIN at boot, in the shell and the systemd initramfs. Root's
# slots file has a passphrase slot and a tpm2 slot sealed to PCR 7 with a
# PIN (the sealed object's authValue, under the TPM's dictionary-attack
# protection), which fscrypt-provision-tpm2 unseals; the dracut module put
# it and its TSS libraries in the image. The shell boot is given a wrong
# PIN first, then the right one; the systemd boot the right one. The PIN is
# typed on the serial console, never echoed, and no passphrase is asked for.
TEST_DESCRIPTION="tpm2 slot with a PIN at boot: a wrong PIN then the right one (shell), the right one (systemd)"

test_check() {
    fsp_tpm2_require_tools
}

test_setup() {
    fsp_tpm2_setup pin-fscrypttab
}

# t82_boot MODE CASE ANSWER...: CASE pin or pin-retry, the answers typed.
t82_boot() {
    local mode=$1 case=$2 name=$TEST_NAME r
    shift 2
    fsp_answers "$@"
    [[ $mode == shell ]] && FSP_INITRD=$INITRD_SHELL || FSP_INITRD=$INITRD_SYSTEMD
    TEST_NAME=$name-$mode-$case
    msg "$mode initramfs, $case: typing $# answers at the console"
    fsp_tpm2_boot "$mode" "fsp.test=tpm2" "fsp.tpm2=$case"
    TEST_NAME=$name
    fsp_answers
    fsp_expect_pass && fsp_scan_canary && fsp_tpm2_scan "$FSP_INITRD" "$FSP_ASSETS/root.img" "$FSP_ASSETS/data.img"
    r=$?
    if grep -a -q -F "$FSP_TPM2_PIN" "$FSP_RUN/console.log" "$FSP_INITRD" "$FSP_RUN/swtpm" -r; then
        err "the PIN appears on the console, in the image or in the TPM's state"
        r=1
    fi
    return $r
}

test_run() {
    local fails=0
    t82_boot shell pin-retry 000000 "$FSP_TPM2_PIN" || fails=$((fails + 1))
    t82_boot systemd pin "$FSP_TPM2_PIN" || fails=$((fails + 1))
    ((fails == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../tpm2.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tpm2.sh"
fsp_test_main "$@"
