#!/bin/bash
# SPDX-License-Identifier: MIT
# Volumes the initramfs does not load: with systemd as PID 1 in the real
# root (sdroot.sh), two fscrypttab volumes without the initramfs option on
# a third disk (/srv): pass, whose slots file has a passphrase slot only,
# typed at the console through systemd-ask-password; and tpm, whose slots
# file has a tpm2 slot for the running system (enroll --tpm2-phase system)
# and a passphrase, sealed to a (software) TPM's PCR 7. The generator's
# fscrypt-provision-load@ units provision both before srv.mount and
# local-fs.target, tpm with no prompt; fscrypt-provision-tpm2-end.service
# then ends the TPM's phase (the guest sees the TPM refuse); both stay
# unlocked across systemctl stop/start of srv.mount. Then a canary scan.
# Checks: guest/check.sh.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="volumes outside the initramfs: a passphrase at systemd-ask-password and a TPM2 slot for the running system, at boot and after a remount"

T62_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

test_check() {
    fsp_tpm2_require_tools && fsp_sdroot_check
}

# The steps of t62_assets (run by fsp_strict): final path A, work
# directory TMP. Keys, slots files (sealed to a TPM state of their own),
# the /srv disk, the root's overlay and the table the initramfs is built
# from.
t62_build_steps() {
    local a=$1 tmp=$2 o=$2/overlay
    local pbkdf=(--pbkdf-memory 32768 --pbkdf-iterations 1 --quiet)
    trap fsp_host_cleanup EXIT
    mkdir -m 0700 "$tmp/keys"
    fsp_make_key "$tmp/keys/pass.key"
    fsp_make_key "$tmp/keys/tpm.key"
    "$FSP_BIN" enroll --slots "$tmp/keys/pass.slots" --passphrase --key-file "$tmp/keys/pass.key" \
        --new-passphrase-fd 3 "${pbkdf[@]}" 3<<< fsp-pass-pass
    fsp_tpm2_host_start "$tmp"
    trap 'fsp_tpm2_host_stop; fsp_host_cleanup' EXIT
    tpm2_pcrextend "7:sha256=$FSP_TPM2_SEPARATOR" > /dev/null
    fsp_tpm2_enroll "$tmp/keys/tpm.slots" "$tmp/keys/tpm.key" fsp-tpm-pass --tpm2-phase system
    # The same key behind the same kind of slot alone: nothing to fall
    # back to, for the guest to see the TPM refuse once the phase ended.
    "$FSP_BIN" enroll --slots "$tmp/keys/tpm-only.slots" --tpm2 --tpm2-phase system \
        --key-file "$tmp/keys/tpm.key" --tpm2-device "$FSP_TPM2_TCTI" --quiet 2> /dev/null
    fsp_tpm2_flush
    fsp_tpm2_host_stop
    trap fsp_host_cleanup EXIT
    truncate -s 32M "$tmp/srv.img"
    mkfs.ext4 -q -F -O encrypt -b 4096 -L fspsrv "$tmp/srv.img"
    mkdir "$tmp/mnt"
    fsp_fill_encrypted "$tmp/srv.img" "$tmp/mnt" pass "$tmp/keys/pass.key" pass \
        FSP-PLAINTEXT-CANARY-PASS "$tmp/pass.sha256"
    fsp_fill_encrypted "$tmp/srv.img" "$tmp/mnt" tpm "$tmp/keys/tpm.key" tpm \
        FSP-PLAINTEXT-CANARY-TPM "$tmp/tpm.sha256"
    rmdir "$tmp/mnt"
    mkdir -p "$o/etc/fsp-test" "$o/usr/lib/fsp-test" "$o/srv"
    printf '/dev/vdb /data ext4 defaults 0 0\n/dev/vdc /srv ext4 defaults 0 0\n' > "$o/etc/fstab"
    {
        sed 's/initramfs,nofail,/initramfs,/' "$FSP_ASSETS/fscrypttab"
        printf 'pass /srv slots:/etc/fsp-test/pass.slots pass -\n'
        printf 'tpm /srv slots:/etc/fsp-test/tpm.slots tpm -\n'
    } > "$o/etc/fscrypttab"
    install -m 0600 "$tmp/keys/pass.slots" "$tmp/keys/tpm.slots" "$tmp/keys/tpm-only.slots" "$o/etc/fsp-test/"
    install -m 0644 "$tmp/pass.sha256" "$tmp/tpm.sha256" "$o/usr/lib/fsp-test/"
    # The initramfs's table: the assets' volumes, and these two as the
    # build reads them (embed puts the TPM companion in the image for
    # tpm's slot, whose phase the initramfs's extension opens).
    {
        cat "$FSP_ASSETS/fscrypttab"
        printf 'pass /srv slots:%s pass -\n' "$a/keys/pass.slots"
        printf 'tpm /srv slots:%s tpm -\n' "$a/keys/tpm.slots"
    } > "$tmp/build-fscrypttab"
}

t62_build() {
    fsp_build_into "$1" t62-tmp t62_build_steps
}

# Builds (or reuses) those assets; sets T62.
t62_assets() {
    local h
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_BIN" "${FSP_BIN%/*}/fscrypt-provision-tpm2" "$FSP_ASSETS/fscrypttab" \
        "$FSP_TPM2_SEPARATOR" "$(declare -f fsp_build_into t62_build t62_build_steps fsp_tpm2_enroll fsp_fill_encrypted)")
    T62=$FSP_QEMU_CACHE/t62-$h
    fsp_cache_build "$T62" 't62-[0-9a-f]*' "sealing TEST-62's slots and filling its /srv disk in $T62" \
        t62_build "$T62"
}

# The systemd initramfs of that table; sets FSP_INITRD.
t62_initrd() {
    local h kind=t62-systemd${FSP_DIST_SUFFIX-}
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_KVER" "$FSP_DIST_ID" "$(fsp_in_dist dracut --version 2>&1)" "$FSP_BIN" \
        "${FSP_BIN%/*}/fscrypt-provision-tpm2" "$T62/build-fscrypttab" "$T62/keys" "$FSP_ASSETS/keys" \
        "$FSP_ASSETS/initrd-extra" "$FSP_REPO/dracut-module/50fscrypt-provision" "${FSP_BIN%/*}/fscrypt-provision-lib.sh" \
        "$FSP_QEMU_DIR/modules.d/59fsp-test" "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" \
        "$(fsp_dracut_modules systemd)" "$FSP_DRACUT_DRIVERS" "$(declare -f t62_initrd fsp_run_dracut fsp_dracut fsp_dracut_base)")
    FSP_INITRD=$FSP_QEMU_CACHE/initrd-$kind-$h.img
    fsp_cache_build "$FSP_INITRD" "initrd-$kind-[0-9a-f]*.img" "building the systemd initramfs of TEST-62" \
        fsp_run_dracut "$FSP_INITRD" "$T62/build-fscrypttab" "$(fsp_dracut_modules systemd)" \
        --include "$FSP_ASSETS/initrd-extra" /etc/fsp-test
}

# The real root: the helper's TPM companion and the TCTI it opens with
# dlopen(), where the helper looks for them, beside the overlay.
t62_root() {
    local tcti
    tcti=$(fsp_in_dist sh -c "ldconfig -p | sed -n 's/.*libtss2-tcti-device\.so\.0 .*=> //p' | head -n 1")
    [[ $tcti ]] || {
        err "no libtss2-tcti-device.so.0 in ${FSP_DIST_ROOT:-this machine} (tools/packages: libtss2-tcti-device0)"
        return 1
    }
    fsp_sdroot "$T62_DIR/guest" "$T62/overlay" \
        "${FSP_BIN%/*}/fscrypt-provision-tpm2:/usr/lib/fscrypt-provision/fscrypt-provision-tpm2" "$tcti:$tcti"
}

test_setup() {
    fsp_assets && fsp_tpm2_assets && t62_assets && t62_initrd && t62_root
}

test_run() {
    local assets=$FSP_ASSETS r pat
    FSP_ASSETS=$FSP_SDROOT
    FSP_TPM2_STATE=$T62/state
    # shellcheck disable=SC2054 # QEMU's commas, one option each
    FSP_BOOT_DISKS=(-drive "file=$T62/srv.img,format=raw,if=none,id=srv,snapshot=on"
        -device virtio-blk-pci,drive=srv,serial=fspsrv)
    fsp_answers fsp-pass-pass
    # The dump of a systemd root (its processes and files) needs more room
    # than the busybox root's.
    FSP_MARKER_SIZE=512M FSP_PROMPT='for fscrypt volume pass:+' \
        fsp_tpm2_boot systemd systemd.unit=fsp-test.target systemd.show_status=1
    fsp_answers
    FSP_ASSETS=$assets
    FSP_CANARY_KEYS=("$T62/keys/pass.key" "$T62/keys/tpm.key")
    fsp_expect_pass && fsp_scan_canary FSP-PLAINTEXT-CANARY-PASS FSP-PLAINTEXT-CANARY-TPM
    r=$?
    pat=$(mktemp "$FSP_QEMU_CACHE/canary.XXXXXX")
    fsp_canary_patterns "$T62/keys/pass.key" "$T62/keys/tpm.key" > "$pat"
    fsp_no_raw_key "$pat" "$FSP_RUN/swtpm" "$T62/state" "$T62/keys"/*.slots "$T62/overlay" "$FSP_INITRD" || r=1
    rm -f "$pat"
    grep -c -a 'for fscrypt volume' "$FSP_RUN/console.log" | sed 's/^/# prompts on the console: /'
    if [[ $(grep -c -a 'for fscrypt volume tpm' "$FSP_RUN/console.log") != 0 ]]; then
        err "the console asked for volume tpm's passphrase: the TPM should have opened it"
        r=1
    fi
    return $r
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../tpm2.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tpm2.sh"
# shellcheck source=../sdroot.sh
. "$(dirname "${BASH_SOURCE[0]}")/../sdroot.sh"
fsp_test_main "$@"
