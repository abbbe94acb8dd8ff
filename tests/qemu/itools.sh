# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# initramfs-tools for the QEMU tests (TEST-9*-ITOOLS-*), sourced after
# lib.sh: images built by Debian's mkinitramfs with the tree's hook and boot
# script (initramfs-tools/), from the same assets as the dracut tests, and
# booted the same way.
#
# The build uses a private CONFDIR (mkinitramfs -d): Debian's
# initramfs.conf with UMASK=0077 (the images hold keys, and the hook refuses
# to build a readable one), the tree's hook and boot script, and a test hook
# (tests/qemu/initramfs-tools/) whose panic script reports a boot that gave
# up to the host, as 59fsp-test does for dracut. panic= is left off the
# command line: with it, initramfs-tools reboots before its panic scripts.

FSP_ITOOLS_APPEND="console=ttyS0 root=/dev/vda rootfstype=ext4 ro quiet init=/sbin/init"

fsp_itools_require_tools() {
    fsp_require_tools || return 1
    local t
    for t in mkinitramfs lsinitramfs; do
        command -v "$t" > /dev/null || { echo "$t is missing (tools/packages: initramfs-tools-core)" && return 1; }
    done
}

# fsp_itools_build OUT TABLE [TPM2DIR [SOFTHSM]]: mkinitramfs for FSP_KVER
# with TABLE; with TPM2DIR (TEST-8*-TPM2), the companion, and
# TPM2DIR/images at /etc/fsp-test/tpm2; with SOFTHSM (TEST-85), that
# directory at /etc/softhsm.
fsp_itools_build() {
    local out=$1 table=$2 tpm2=${3-} softhsm=${4-} tmp r
    tmp=$(mktemp -d "$FSP_QEMU_CACHE/itools.XXXXXX")
    mkdir -p "$tmp/conf/hooks" "$tmp/conf/scripts/local-bottom" "$tmp/conf/scripts/panic" "$tmp/conf/conf.d" &&
        { cat /etc/initramfs-tools/initramfs.conf && echo UMASK=0077; } > "$tmp/conf/initramfs.conf" &&
        : > "$tmp/conf/modules" &&
        cp "$FSP_REPO/initramfs-tools/hooks/fscrypt-provision" "$FSP_QEMU_DIR/initramfs-tools/hooks/fsp-test" \
            "$tmp/conf/hooks/" &&
        cp "$FSP_REPO/initramfs-tools/scripts/local-bottom/fscrypt-provision" "$tmp/conf/scripts/local-bottom/" &&
        cp "$FSP_REPO/initramfs-tools/scripts/panic/fscrypt-provision" \
            "$FSP_QEMU_DIR/initramfs-tools/scripts/panic/fsp-test" "$tmp/conf/scripts/panic/" || return 1
    # The boot steps and the companion: beside the helper, where embed
    # --manifest looks, as for the dracut images.
    env FSCRYPT_PROVISION_BIN="$FSP_BIN" FSCRYPT_PROVISION_TAB="$table" \
        FSCRYPT_PROVISION_CONF=/dev/null \
        FSP_TEST_GUEST_DIR="$FSP_QEMU_DIR/guest" FSP_TEST_EXTRA="$FSP_ASSETS/initrd-extra" \
        FSP_TEST_EMERGENCY="$FSP_QEMU_DIR/modules.d/59fsp-test/fsp-test-emergency.sh" \
        FSP_TEST_TPM2="${tpm2:+$tpm2/images}" FSP_TEST_SOFTHSM="$softhsm" \
        mkinitramfs -d "$tmp/conf" -o "$tmp/initrd.img" "$FSP_KVER" > "$tmp/mkinitramfs.log" 2>&1
    r=$?
    if ((r != 0)) || [[ ! -s $tmp/initrd.img ]]; then
        err "mkinitramfs failed ($r):"
        tail -n 30 "$tmp/mkinitramfs.log" | sed 's/^/#   /'
        rm -rf "$tmp"
        return 1
    fi
    mv "$tmp/initrd.img" "$out" && rm -rf "$tmp"
}

# fsp_itools_image KIND TABLE [TPM2DIR [SOFTHSM]]: builds (or reuses) the
# image of TABLE (a path), with TPM2DIR's companion and files for
# TEST-8*-TPM2, SOFTHSM's for TEST-85; sets FSP_INITRD.
fsp_itools_image() {
    local kind=$1 table=$2 tpm2=${3-} softhsm=${4-} h t0
    kind=$kind${FSP_DIST_SUFFIX-}
    # shellcheck disable=SC2016 # a dpkg-query format
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_KVER" "$FSP_DIST_ID" \
        "$(fsp_in_dist dpkg-query -W -f '${Version}' initramfs-tools-core 2> /dev/null)" \
        "$FSP_BIN" "$FSP_ASSETS/keys" "$FSP_ASSETS/initrd-extra" "$table" \
        ${tpm2:+"${FSP_BIN%/*}/fscrypt-provision-tpm2" "$tpm2/keys" "$tpm2/images"} \
        ${softhsm:+"${FSP_BIN%/*}/fscrypt-provision-pkcs11" "$softhsm"} \
        "$FSP_REPO/initramfs-tools" "$FSP_QEMU_DIR/initramfs-tools" \
        "${FSP_BIN%/*}/fscrypt-provision-lib.sh" \
        "$FSP_QEMU_DIR/modules.d/59fsp-test/fsp-test-emergency.sh" "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" \
        "${FSP_DIST_ROOT-}/etc/initramfs-tools/initramfs.conf" "$(declare -f fsp_itools_build)")
    FSP_INITRD=$FSP_QEMU_CACHE/initrd-$kind-$h.img
    fsp_cache_hit "$FSP_INITRD" && return 0
    msg "building the initramfs-tools image of ${table##*/}"
    t0=$SECONDS
    fsp_build_once "$FSP_INITRD" fsp_in_dist fsp_itools_build "$FSP_INITRD" "$table" "$tpm2" "$softhsm" || return 1
    msg "built $FSP_INITRD in $((SECONDS - t0)) s (mode $(stat -c %a "$FSP_INITRD"))"
    fsp_locked fsp_cache_prune "initrd-$kind-[0-9a-f]*.img"
}

# fsp_itools_initrd [TABLE]: the image of the assets' TABLE (default
# fscrypttab); sets FSP_INITRD.
fsp_itools_initrd() {
    local table=${1:-fscrypttab}
    fsp_itools_image "itools-${table%fscrypttab}" "$FSP_ASSETS/$table"
}

# fsp_itools_tpm2_initrd TABLE: the image of TABLE in FSP_TPM2
# (tests/qemu/tpm2.sh); sets FSP_INITRD.
fsp_itools_tpm2_initrd() {
    fsp_itools_image "itools-tpm2-${1%-fscrypttab}" "$FSP_TPM2/$1" "$FSP_TPM2"
}

# fsp_itools_boot CMDLINE...: fsp_boot with the initramfs-tools image.
fsp_itools_boot() {
    FSP_QEMU_APPEND=$FSP_ITOOLS_APPEND fsp_boot initramfs-tools "$@"
}
