#!/bin/bash
# SPDX-License-Identifier: MIT
# At boot: initramfs images that carry slots files and no raw key,
# and a person typing at the serial console (type-answers.py). In the shell
# and the systemd initramfs: a wrong passphrase then the right one (through
# rd.fscrypt.key=root:slots:PATH), the recovery key at the same prompt,
# three wrong for a nofail volume (the boot goes on) and three wrong for
# root (emergency). Then a canary scan of the images and disks.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="slots files at boot: passphrase prompts on the console, retries, recovery key, nofail and emergency (shell and systemd)"

test_check() {
    fsp_require_tools || return 1
    command -v python3 > /dev/null || { echo "python3 is missing" && return 1; }
}

test_setup() {
    fsp_assets && fsp_initrd shell && RAW_INITRD=$FSP_INITRD &&
        fsp_initrd systemd slots-fscrypttab && INITRD_SYSTEMD=$FSP_INITRD &&
        fsp_initrd shell slots-fscrypttab && INITRD_SHELL=$FSP_INITRD
}

# t80_boot MODE CASE ANSWER... -- boots the slots image of MODE with the
# answers to type; the guest (guest.sh, or the emergency hook) checks CASE.
t80_boot() {
    local mode=$1 case=$2 name=$TEST_NAME scenario=slots args=()
    shift 2
    fsp_answers "$@" || return 1
    case $case in
        retry) args=(rd.fscrypt.key=root:slots:/etc/fsp-test/root2.slots) ;;
        nofail) args=(rd.fscrypt.tab=/etc/fsp-test/slots-nofail.tab) ;;
        emergency) scenario=slots-emergency ;;
    esac
    [[ $mode == shell ]] && FSP_INITRD=$INITRD_SHELL || FSP_INITRD=$INITRD_SYSTEMD
    TEST_NAME=$name-$mode-$case
    msg "$mode initramfs, $case: typing $# answers at the console"
    fsp_boot "$mode" "fsp.test=$scenario" "fsp.slots=$case" "${args[@]}"
    TEST_NAME=$name
    fsp_answers
    fsp_slots_verdict "$mode"
}

# No raw key in the slots images or on the disks; the raw image, which
# embeds root's key file, is the scan's positive control.
t80_scan_images() {
    local pat r=0 f
    pat=$(mktemp "$FSP_QEMU_CACHE/canary.XXXXXX")
    fsp_canary_patterns "$FSP_ASSETS/keys/root.key" "$FSP_ASSETS/keys/data.key" > "$pat"
    if ! grep -q -a -F -f "$pat" "$RAW_INITRD"; then
        err "canary control: the raw-key initramfs should hold root's key"
        r=1
    fi
    fsp_no_raw_key "$pat" "$INITRD_SHELL" "$INITRD_SYSTEMD" "$FSP_ASSETS/root.img" "$FSP_ASSETS/data.img" || r=1
    for f in "$INITRD_SHELL" "$INITRD_SYSTEMD"; do
        if ! lsinitrd "$f" 2> /dev/null | grep -q 'keys/root.slots$'; then
            err "$f does not embed root.slots"
            r=1
        fi
    done
    rm -f "$pat"
    ((r == 0)) && msg "canary scan: no raw key in the slots initramfs images (shell, systemd) or the disks; the raw image holds one"
    return $r
}

test_run() {
    local fails=0
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/passphrases.env"
    local rk
    rk=$(cat "$FSP_ASSETS/recovery.txt")
    t80_scan_images || fails=$((fails + 1))
    for mode in shell systemd; do
        t80_boot "$mode" retry not-the-passphrase "$ROOT2_PASS" "$DATA_PASS" || fails=$((fails + 1))
        t80_boot "$mode" recovery "$rk" "$DATA_PASS" || fails=$((fails + 1))
        t80_boot "$mode" nofail wrong-1 wrong-2 wrong-3 "$DATA_PASS" || fails=$((fails + 1))
        t80_boot "$mode" emergency wrong-1 wrong-2 wrong-3 "$DATA_PASS" || fails=$((fails + 1))
    done
    ((fails == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
