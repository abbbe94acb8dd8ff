#!/bin/bash
# SPDX-License-Identifier: MIT
# A PKCS#11 token at boot: dracut's shell and systemd initramfs, and
# initramfs-tools. A SoftHSM2 token holds an RSA-2048 and an EC P-256 key
# pair; root's slots file has a passphrase slot and a pkcs11 slot on the
# RSA key (RSA-OAEP), data's one on the EC key (ECDH). The dracut module
# and the initramfs-tools hook install the companion and the module the
# slots name (embed --manifest); the image builder adds what SoftHSM2
# needs besides, its configuration and token directory, as
# docs/protectors.md tells an image builder to. The PIN is typed at the
# console: the shell boot gets a wrong PIN first, then the right one for
# each volume; the systemd and initramfs-tools boots the right ones. No
# passphrase is asked for, and the PIN is on no console, image or dump.
TEST_DESCRIPTION="pkcs11 slots at boot (SoftHSM2): a wrong PIN then the right ones (shell), the right ones (systemd, initramfs-tools)"

# The token's user PIN (a test fixture, typed at the console), label and
# module; FSP_ names, so that fsp_strict's shell gets them.
FSP_T85_PIN=fsp-token-pin-5728
FSP_T85_LABEL=fsp-boot
FSP_T85_MOD=/usr/lib/softhsm/libsofthsm2.so

test_check() {
    fsp_itools_require_tools || return 1
    local t
    for t in softhsm2-util pkcs11-tool python3; do
        command -v "$t" > /dev/null || { echo "$t is missing (tools/packages: softhsm2, opensc)" && return 1; }
    done
    [[ -e $FSP_T85_MOD ]] || { echo "$FSP_T85_MOD is missing (tools/packages: softhsm2)" && return 1; }
    [[ -x ${FSP_BIN%/*}/fscrypt-provision-pkcs11 ]] || { echo "${FSP_BIN%/*}/fscrypt-provision-pkcs11 is missing (make)" && return 1; }
}

# t85_enroll SLOTS KEY PASS OBJECT: a passphrase slot (the fallback), then
# a pkcs11 slot on the token's key pair OBJECT.
t85_enroll() {
    "$FSP_BIN" enroll --slots "$1" --passphrase --key-file "$2" --quiet \
        --new-passphrase-fd 3 --pbkdf-memory 32768 --pbkdf-iterations 1 3<<< "$3" &&
        "$FSP_BIN" enroll --slots "$1" --quiet --unlock-passphrase-fd 3 --pkcs11-pin-fd 4 \
            --pkcs11-token-uri "pkcs11:token=$FSP_T85_LABEL;object=$4?module-path=$FSP_T85_MOD" \
            3<<< "$3" 4<<< "$FSP_T85_PIN" 2> /dev/null
}

# The token and the slots files (run by fsp_strict): the final path A, the
# work directory TMP. The token directory is made where the image will
# carry it (softhsm/, included as /etc/softhsm); the host reaches it
# through a configuration of its own.
t85_build_steps() {
    local a=$1 tmp=$2 k=$FSP_ASSETS/keys p11=(--module "$FSP_T85_MOD" --token-label "$FSP_T85_LABEL" --login)
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/expected.env"
    mkdir -p "$tmp/softhsm/tokens" "$tmp/keys"
    printf 'directories.tokendir = /etc/softhsm/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' \
        > "$tmp/softhsm/softhsm2.conf"
    export SOFTHSM2_CONF=$tmp/host-softhsm2.conf
    printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
        "$tmp/softhsm/tokens" > "$SOFTHSM2_CONF"
    softhsm2-util --init-token --free --label "$FSP_T85_LABEL" --so-pin 13579135 --pin "$FSP_T85_PIN" > /dev/null
    pkcs11-tool "${p11[@]}" --pin "$FSP_T85_PIN" --keypairgen --key-type rsa:2048 \
        --id 01 --label rsa-key > /dev/null 2>&1
    pkcs11-tool "${p11[@]}" --pin "$FSP_T85_PIN" --keypairgen --key-type EC:prime256v1 \
        --id 02 --label ec-key > /dev/null 2>&1
    t85_enroll "$tmp/keys/root.slots" "$k/root.key" fsp-root-pass rsa-key
    t85_enroll "$tmp/keys/data.slots" "$k/data.key" fsp-data-pass ec-key
    "$FSP_BIN" slots --slots "$tmp/keys/root.slots" | grep -q 'pkcs11' &&
        "$FSP_BIN" slots --slots "$tmp/keys/data.slots" | grep -q 'pkcs11'
    rm "$SOFTHSM2_CONF"
    # shellcheck disable=SC2153 # DATA_ID: from expected.env
    cat > "$tmp/pkcs11-fscrypttab" <<- EOF
		# TEST-85: root through the token's RSA key, data through its EC
		# key; a passphrase as fallback for both.
		root / slots:$a/keys/root.slots secret initramfs
		data /data slots:$a/keys/data.slots vault initramfs,nofail,identifier=$DATA_ID
		EOF
}

t85_build() {
    fsp_build_into "$1" pkcs11-tmp t85_build_steps
}

# t85_initrd MODE: the initramfs of MODE from the table, with SoftHSM2's
# configuration and tokens; sets FSP_INITRD.
t85_initrd() {
    local mode=$1 h kind=pkcs11-$1
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$mode" "$FSP_KVER" "$FSP_DIST_ID" "$(fsp_in_dist dracut --version 2>&1)" \
        "$FSP_BIN" "${FSP_BIN%/*}/fscrypt-provision-pkcs11" "$FSP_T85_MOD" "$T85_DIR" "$FSP_ASSETS/initrd-extra" \
        "$FSP_REPO/dracut-module/50fscrypt-provision" "${FSP_BIN%/*}/fscrypt-provision-lib.sh" \
        "$FSP_QEMU_DIR/modules.d/59fsp-test" "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" \
        "$(fsp_dracut_modules "$mode")" "$FSP_DRACUT_DRIVERS" \
        "$(declare -f t85_initrd fsp_run_dracut fsp_dracut fsp_dracut_base)")
    FSP_INITRD=$FSP_QEMU_CACHE/initrd-$kind-$h.img
    fsp_cache_build "$FSP_INITRD" "initrd-$kind-[0-9a-f]*.img" "building the $mode initramfs with a PKCS#11 token" \
        fsp_run_dracut "$FSP_INITRD" "$T85_DIR/pkcs11-fscrypttab" "$(fsp_dracut_modules "$mode")" \
        --include "$FSP_ASSETS/initrd-extra" /etc/fsp-test \
        --include "$T85_DIR/softhsm" /etc/softhsm
}

test_setup() {
    local h
    fsp_assets || return 1
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_BIN" "${FSP_BIN%/*}/fscrypt-provision-pkcs11" "$FSP_T85_MOD" \
        "$FSP_ASSETS/keys" "$FSP_T85_PIN" "$(softhsm2-util --version)" \
        "$(declare -f fsp_build_into t85_build t85_build_steps t85_enroll)")
    T85_DIR=$FSP_QEMU_CACHE/pkcs11-$h
    fsp_cache_build "$T85_DIR" 'pkcs11-[0-9a-f]*' "making the SoftHSM2 token and the pkcs11 slots in $T85_DIR" \
        t85_build "$T85_DIR" || return 1
    t85_initrd shell && INITRD_SHELL=$FSP_INITRD &&
        t85_initrd systemd && INITRD_SYSTEMD=$FSP_INITRD &&
        fsp_itools_image itools-pkcs11 "$T85_DIR/pkcs11-fscrypttab" "" "$T85_DIR/softhsm" &&
        INITRD_ITOOLS=$FSP_INITRD
}

# t85_boot MODE CASE ANSWER...: CASE pin or pin-retry, the answers typed.
t85_boot() {
    local mode=$1 case=$2 name=$TEST_NAME r
    shift 2
    fsp_answers "$@" || return 1
    TEST_NAME=$name-$mode-$case
    msg "$mode initramfs, $case: typing $# answers at the console"
    case $mode in
        shell) FSP_INITRD=$INITRD_SHELL fsp_boot shell fsp.test=pkcs11 "fsp.pkcs11=$case" ;;
        systemd) FSP_INITRD=$INITRD_SYSTEMD fsp_boot systemd fsp.test=pkcs11 "fsp.pkcs11=$case" ;;
        initramfs-tools)
            FSP_INITRD=$INITRD_ITOOLS
            local how=terminal
            lsinitramfs "$FSP_INITRD" | grep -q 'bin/plymouth$' && how=plymouth
            fsp_itools_boot fsp.test=pkcs11 "fsp.pkcs11=$case" "fsp.how=$how"
            ;;
    esac
    TEST_NAME=$name
    fsp_answers
    grep -a -o 'slot [0-9]* (pkcs11): [^;]*' "$FSP_RUN/console.log" | sed 's/^/#   at boot: /'
    fsp_expect_pass && fsp_scan_canary FSP-PLAINTEXT-CANARY-DATA FSP-PLAINTEXT-CANARY-ROOT
    r=$?
    if grep -a -q -F "$FSP_T85_PIN" "$FSP_RUN/console.log" "$FSP_RUN/marker.img" "$FSP_INITRD"; then
        err "the PIN appears on the console, in the guest's dump or in the image"
        r=1
    fi
    return $r
}

test_run() {
    local fails=0
    if ! lsinitrd "$INITRD_SHELL" 2> /dev/null | grep -q 'fscrypt-provision-pkcs11$' ||
        ! lsinitramfs "$INITRD_ITOOLS" | grep -q 'fscrypt-provision-pkcs11$'; then
        err "the dracut module or the initramfs-tools hook did not install the companion"
        fails=$((fails + 1))
    fi
    t85_boot shell pin-retry 000000 "$FSP_T85_PIN" "$FSP_T85_PIN" || fails=$((fails + 1))
    t85_boot systemd pin "$FSP_T85_PIN" "$FSP_T85_PIN" || fails=$((fails + 1))
    t85_boot initramfs-tools pin "$FSP_T85_PIN" "$FSP_T85_PIN" || fails=$((fails + 1))
    ((fails == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
