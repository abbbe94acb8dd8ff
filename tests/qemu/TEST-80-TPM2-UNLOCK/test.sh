#!/bin/bash
# SPDX-License-Identifier: MIT
# At boot: slots files sealed to a (software) TPM's PCR 7, in the
# shell and the systemd initramfs. The sealed keys unlock with no prompt;
# when PCR 7 differs (the test's initramfs extends it before apply, as
# another boot chain would), the TPM refuses, says so in one line, and the
# passphrases typed on the serial console unlock. Then a canary scan of
# the images, the disks and the swtpm state.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="tpm2 slots at boot: sealed to PCR 7, no prompt; PCR 7 changed, the passphrase on the console (shell and systemd)"

test_check() {
    fsp_tpm2_require_tools
}

test_setup() {
    fsp_tpm2_setup tpm2-fscrypttab
}

# t80_boot MODE CASE [ANSWER...]: CASE sealed (no prompt: nothing to type)
# or pcr-changed (PCR 7 extended in the initramfs; the answers typed).
t80_boot() {
    local mode=$1 case=$2 name=$TEST_NAME args=() r
    shift 2
    if (($#)); then
        FSP_ANSWERS=$(mktemp "$FSP_QEMU_CACHE/answers.XXXXXX")
        printf '%s\n' "$@" > "$FSP_ANSWERS"
    fi
    [[ $case == pcr-changed ]] && args=(fsp.tpm2-extend=7)
    [[ $mode == shell ]] && FSP_INITRD=$INITRD_SHELL || FSP_INITRD=$INITRD_SYSTEMD
    TEST_NAME=$name-$mode-$case
    msg "$mode initramfs, $case${FSP_ANSWERS:+: typing $# answers at the console}"
    fsp_tpm2_boot "$mode" "fsp.test=tpm2" "fsp.tpm2=$case" "${args[@]}"
    TEST_NAME=$name
    [[ ${FSP_ANSWERS-} ]] && rm -f "$FSP_ANSWERS"
    FSP_ANSWERS=
    fsp_expect_pass && fsp_scan_canary && fsp_tpm2_scan "$FSP_INITRD" "$FSP_ASSETS/root.img" "$FSP_ASSETS/data.img"
    r=$?
    return $r
}

test_run() {
    local fails=0 mode
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/passphrases.env"
    for mode in shell systemd; do
        t80_boot "$mode" sealed || fails=$((fails + 1))
        t80_boot "$mode" pcr-changed "$ROOT_PASS" "$DATA_PASS" || fails=$((fails + 1))
    done
    ((fails == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../tpm2.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tpm2.sh"
fsp_test_main "$@"
