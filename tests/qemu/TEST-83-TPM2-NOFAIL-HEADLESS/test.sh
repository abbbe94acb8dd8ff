#!/bin/bash
# SPDX-License-Identifier: MIT
# A headless device whose TPM is gone (or refuses since a firmware
# update): TEST-80's slots files (a PCR 7 tpm2 slot and a passphrase
# slot), both volumes nofail, booted with no TPM and nothing typed at the
# console. The tpm2 slot is refused in one line, the passphrase prompt
# gives up at the volume's password-timeout=, the volume is skipped in one
# line, and the boot reaches the real root without it. Shell initramfs:
# rd.fscrypt.password-timeout=8 for both volumes (the console read);
# systemd initramfs: the table's own deadlines, 10 s for root and the
# nofail default of 90 s for data (systemd-ask-password's --timeout).
TEST_DESCRIPTION="nofail volumes, no TPM, nobody at the console: skipped at their password-timeout, the boot goes on (shell and systemd)"

test_check() {
    fsp_tpm2_require_tools
}

test_setup() {
    fsp_tpm2_setup nofail-fscrypttab
}

# t83_boot MODE CASE [CMDLINE...]: CASE override (rd.fscrypt.password-timeout=
# given) or table (the table's values); no TPM device, no answers.
t83_boot() {
    local mode=$1 case=$2 name=$TEST_NAME r
    shift 2
    FSP_ANSWERS= # nothing is typed: the console stays silent
    [[ $mode == shell ]] && FSP_INITRD=$INITRD_SHELL || FSP_INITRD=$INITRD_SYSTEMD
    TEST_NAME=$name-$mode-$case
    msg "$mode initramfs, no TPM, nothing typed, deadlines from the ${case/override/command line}"
    # The prompts wait by design, up to 100 s in all: the boot may take
    # that much longer than the others.
    FSP_QEMU_TIMEOUT=$((FSP_QEMU_TIMEOUT + 100)) \
        fsp_boot "$mode" fsp.test=tpm2-nofail "fsp.nofail-case=$case" "$@"
    TEST_NAME=$name
    fsp_expect_pass && fsp_scan_canary
    r=$?
    grep -a -o 'volume [a-z]*: [^;]*; skipped (nofail)' "$FSP_RUN/console.log" | sed 's/^/#   at boot: /'
    return $r
}

test_run() {
    local fails=0
    t83_boot shell override rd.fscrypt.password-timeout=8 || fails=$((fails + 1))
    t83_boot systemd table || fails=$((fails + 1))
    ((fails == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../tpm2.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tpm2.sh"
fsp_test_main "$@"
