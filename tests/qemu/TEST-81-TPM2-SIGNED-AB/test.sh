#!/bin/bash
# SPDX-License-Identifier: MIT
# The A/B update with a signed PCR policy, in the shell and the
# systemd initramfs. Root's slots file has a passphrase slot and a tpm2
# slot bound to a public key and PCR 11 (TPM2_PolicyAuthorize), not to PCR
# values. Image A boots and unseals with no prompt; the update brings image
# B, whose PCR 11 differs, with B's signature (made by systemd-measure):
# it unseals with no prompt and no re-enrollment. An image B that kept A's
# signature is refused by the TPM, and the passphrase typed on the console
# unlocks. The images' PCR 11 is what systemd-stub would leave for a UKI
# whose .linux section is the image's identity, and the signature is where
# the stub puts a UKI's .pcrsig; the command line picks both
# (modules.d/59fsp-test/fsp-test-measure.sh).
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="tpm2 signed PCR 11 policy across an A/B update: image A, image B with its signature, image B with A's (shell and systemd)"

test_check() {
    fsp_tpm2_require_tools
}

test_setup() {
    fsp_tpm2_setup signed-fscrypttab
}

# t81_boot MODE IMAGE SIGNATURE CASE [ANSWER...]: boots IMAGE (its PCR 11)
# with the PCR signature of image SIGNATURE.
t81_boot() {
    local mode=$1 img=$2 sig=$3 case=$4 name=$TEST_NAME
    shift 4
    if (($#)); then
        FSP_ANSWERS=$(mktemp "$FSP_QEMU_CACHE/answers.XXXXXX")
        printf '%s\n' "$@" > "$FSP_ANSWERS"
    fi
    [[ $mode == shell ]] && FSP_INITRD=$INITRD_SHELL || FSP_INITRD=$INITRD_SYSTEMD
    TEST_NAME=$name-$mode-$case
    msg "$mode initramfs, image $img with the signature of image $sig${FSP_ANSWERS:+: typing $# answers}"
    fsp_tpm2_boot "$mode" "fsp.test=tpm2" "fsp.tpm2=$case" "fsp.tpm2-image=$img" "fsp.tpm2-signature=$sig"
    TEST_NAME=$name
    [[ ${FSP_ANSWERS-} ]] && rm -f "$FSP_ANSWERS"
    FSP_ANSWERS=
    fsp_expect_pass && fsp_scan_canary && fsp_tpm2_scan "$FSP_INITRD"
}

test_run() {
    local fails=0 mode
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/passphrases.env"
    for mode in shell systemd; do
        t81_boot "$mode" a a image-a || fails=$((fails + 1))
        t81_boot "$mode" b b image-b || fails=$((fails + 1))
        t81_boot "$mode" b a stale-signature "$ROOT_PASS" || fails=$((fails + 1))
    done
    ((fails == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../tpm2.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tpm2.sh"
fsp_test_main "$@"
