#!/bin/bash
# SPDX-License-Identifier: MIT
# dracut module fscrypt-provision: provision fscrypt master keys from the
# initramfs into the durable "fscrypt-provision" keyring under root's user
# keyring, and unlock the encrypted directories of the real root, before
# switch_root. See README.md next to this file.
#
# Build-time settings (environment or dracut.conf.d):
#   FSCRYPT_PROVISION_BIN        the static helper put in the image (default
#                                /usr/sbin/fscrypt-provision of the root
#                                being built for)
#   FSCRYPT_PROVISION_BUILD_BIN  the helper run now, on the build host
#                                (default: the one above; set it when
#                                dracut --sysroot builds for another
#                                architecture)
#   fscrypttab                   the table to read (default /etc/fscrypttab)
#   FSCRYPT_PROVISION_TPM2_BIN   the TPM companion, which seals tpm2 slots
#                                and extends PCR 15 when the initramfs is
#                                done (default: fscrypt-provision-tpm2
#                                beside the helper, else
#                                /usr/lib/fscrypt-provision/ of the root)
#   fscrypt_provision_tpm2=yes   install systemd-creds, the TSS libraries
#                                and the companion even when no embedded
#                                slots file has a tpm2 slot (for
#                                rd.fscrypt.key= files)
# Only entries with the "initramfs" option go into the initramfs, and only
# their key files are embedded. Which ones, and whether their key files are
# safe, the helper decides ("fscrypt-provision embed"), with the rules it
# applies at boot; this file only installs what it lists.
# shellcheck disable=SC2154 # initdir, moddir, hostonly, systemdsystemunitdir, SYSTEMCTL, outfile: set by dracut

_fsp_bin() {
    printf '%s\n' "${FSCRYPT_PROVISION_BIN:-${dracutsysrootdir-}/usr/sbin/fscrypt-provision}"
}

_fsp_tab() {
    printf '%s\n' "${fscrypttab:-${dracutsysrootdir-}/etc/fscrypttab}"
}

# fscrypt-provision embed on this build's table (and root, for --sysroot):
# NUL-terminated records of volume, mountpoint ("none" if none) and key
# file ("" if none) with --null.
_fsp_embed() {
    "${FSCRYPT_PROVISION_BUILD_BIN:-$(_fsp_bin)}" embed --quiet --tab "$(_fsp_tab)" \
        ${dracutsysrootdir:+--sysroot "$dracutsysrootdir"} "$@"
}

# Stops the build. dracut 059 ignores what install() returns, so an image
# without the keys (or without the table) would be written and would boot
# with its encrypted directories silently locked; exit like 00systemd does.
_fsp_fatal() {
    local line
    while IFS= read -r line; do
        dfatal "$line"
    done <<< "$*"
    exit 1
}

# Does any embedded slots file (args 2...) have a slot whose JSON matches
# the pattern $1? The helper reads the file, as it will at boot.
_fsp_slots_match() {
    local pat=$1 f
    shift
    for f in "$@"; do
        "${FSCRYPT_PROVISION_BUILD_BIN:-$(_fsp_bin)}" slots --slots "$f" --json 2> /dev/null |
            grep -q "$pat" && return 0
    done
    return 1
}

# Where the helper looks for it at boot: beside itself, then in
# ../lib/fscrypt-provision/; the image gets it at the second place.
_fsp_tpm2_bin() {
    local b
    b=$(_fsp_bin)
    if [[ ${FSCRYPT_PROVISION_TPM2_BIN-} ]]; then
        printf '%s\n' "$FSCRYPT_PROVISION_TPM2_BIN"
    elif [[ -x ${b%/*}/fscrypt-provision-tpm2 ]]; then
        printf '%s\n' "${b%/*}/fscrypt-provision-tpm2"
    else
        printf '%s\n' "${dracutsysrootdir-}/usr/lib/fscrypt-provision/fscrypt-provision-tpm2"
    fi
}

# The companion: it unseals the slots it sealed, and extends PCR 15 when
# the initramfs is done, so that no tpm2 slot unseals afterwards. need:
# "tpm2" when a slots file has a tpm2 slot (a missing companion stops the
# build), "any" for fscrypt_provision_tpm2=yes (installed if there).
_fsp_install_companion() {
    local c
    c=$(_fsp_tpm2_bin)
    if [[ ! -x $c ]]; then
        [[ $1 == tpm2 ]] &&
            _fsp_fatal "fscrypt-provision: a slots file has a tpm2 slot, and $c is missing (make install, or the fscrypt-provision TPM2 package): without it the slot cannot be unsealed, and the TPM would keep unsealing after the initramfs"
        return 0
    fi
    inst_binary "$c" /usr/lib/fscrypt-provision/fscrypt-provision-tpm2 ||
        _fsp_fatal "fscrypt-provision: cannot install $c"
    # Its TCTI loader opens the device TCTI with dlopen(), which ldd misses.
    inst_libdir_file "libtss2-tcti-device.so*" ||
        _fsp_fatal "fscrypt-provision: a slots file has a tpm2 slot, and libtss2-tcti-device is missing (Debian package libtss2-tcti-device0)"
    dinfo "fscrypt-provision: installed fscrypt-provision-tpm2 for tpm2 slots"
}

# The TPM engine of tpm2 slots: systemd-creds, its libraries, and the TSS
# libraries it loads with dlopen(), which ldd does not show. dracut-install
# resolves the needs of executables only, and libraries are 0644: esys's
# own need, libtss2-sys, is named too (without it a generic image's
# systemd-creds says "TPM2 support is not installed").
_fsp_install_tpm2() {
    inst_binary systemd-creds ||
        _fsp_fatal "fscrypt-provision: a slots file has a tpm2 slot, and systemd-creds cannot be installed (Debian package systemd)"
    inst_libdir_file "libtss2-esys.so*" "libtss2-sys.so*" "libtss2-rc.so*" "libtss2-mu.so*" \
        "libtss2-tcti-device.so*" "libtss2-tctildr.so*" ||
        _fsp_fatal "fscrypt-provision: a slots file has a tpm2 slot, and the TSS libraries are missing (Debian packages libtss2-esys-3.0.2-0, libtss2-sys1, libtss2-rc0, libtss2-tcti-device0)"
    dinfo "fscrypt-provision: installed systemd-creds and the TSS libraries for tpm2 slots"
}

# called by dracut
check() {
    require_binaries "$(_fsp_bin)" || return 1
    # Host-only images get the module when the table asks for it, or when
    # embed refuses the table, so that install() stops the build and says
    # why.
    if [[ $hostonly && -e $(_fsp_tab) ]]; then
        local list
        list=$(_fsp_embed --json 2> /dev/null) || return 0
        [[ $list == *'"name"'* ]] && return 0
    fi
    return 255
}

# called by dracut
depends() {
    # dracut-lib.sh (getarg, info, warn, die) comes from base.
    echo base
    return 0
}

# called by dracut
installkernel() {
    local mp fstype
    # fscrypt is built in, but its algorithms may be modules; without them
    # FS_IOC_ADD_ENCRYPTION_KEY fails ("Error allocating hmac(sha512)").
    # Always, whatever the host has loaded.
    hostonly='' instmods -c xts ecb cts sha512_generic || return 1
    # Faster variants and other policies' algorithms, when available.
    instmods aesni_intel sha512_ssse3 adiantum
    if [[ $hostonly ]]; then
        while IFS= read -r -d '' _ && IFS= read -r -d '' mp && IFS= read -r -d '' _; do
            [[ $mp == none ]] && continue
            fstype=$(findmnt -n -o FSTYPE --mountpoint "${dracutsysrootdir-}$mp" 2> /dev/null)
            [[ $fstype ]] && instmods "$fstype"
        done < <(_fsp_embed --null 2> /dev/null)
    else
        # The filesystems that support fscrypt.
        instmods ext4 f2fs
    fi
    return 0
}

# called by dracut
install() {
    local bin tab list msg i embedded=0
    local -a rec files=()
    bin=$(_fsp_bin)
    tab=$(_fsp_tab)
    inst_binary "$bin" /usr/sbin/fscrypt-provision || _fsp_fatal "fscrypt-provision: cannot install $bin"

    if [[ ! -e $tab ]]; then
        dinfo "fscrypt-provision: no $tab; the initramfs only uses rd.fscrypt.tab="
    else
        [[ -d $initdir/etc ]] || mkdir -m 0755 "$initdir/etc"
        list=$(mktemp) || _fsp_fatal "fscrypt-provision: cannot create a temporary file"
        if ! msg=$(_fsp_embed --null --write-table "$initdir/etc/fscrypttab" 2>&1 > "$list"); then
            rm -f "$list"
            _fsp_fatal "${msg:-fscrypt-provision: embed failed on $tab}"
        fi
        mapfile -d '' -t rec < "$list"
        rm -f "$list"
        # The list of embedded key files, for the initramfs to remove them
        # once apply is done, or on its way to an emergency shell.
        [[ -d $initdir/etc/fscrypt-provision ]] || mkdir -m 0700 "$initdir/etc/fscrypt-provision" ||
            _fsp_fatal "fscrypt-provision: cannot create $initdir/etc/fscrypt-provision"
        for ((i = 0; i + 2 < ${#rec[@]}; i += 3)); do
            [[ ${rec[i + 2]} ]] || continue
            inst_simple "${rec[i + 2]}" || _fsp_fatal "fscrypt-provision: cannot install key file ${rec[i + 2]}"
            chown 0:0 "$initdir${rec[i + 2]}"
            chmod 0400 "$initdir${rec[i + 2]}"
            dinfo "fscrypt-provision: embedded the key of volume ${rec[i]}"
            printf '%s\n' "${rec[i + 2]}" >> "$initdir/etc/fscrypt-provision/embedded-keys" ||
                _fsp_fatal "fscrypt-provision: cannot list the embedded key files"
            files+=("${rec[i + 2]}")
            embedded=1
        done
        # Each tpm2 slot says which engine sealed it ("sealed_by").
        if _fsp_slots_match '"sealed_by": *"systemd-creds"' "${files[@]}" || [[ ${fscrypt_provision_tpm2-} == yes ]]; then
            _fsp_install_tpm2
        fi
        if _fsp_slots_match '"type": *"tpm2"' "${files[@]}"; then
            _fsp_install_companion tpm2
        elif [[ ${fscrypt_provision_tpm2-} == yes ]]; then
            _fsp_install_companion any
        fi
        if ((embedded)); then
            chmod 0600 "$initdir/etc/fscrypt-provision/embedded-keys" ||
                _fsp_fatal "fscrypt-provision: cannot protect the list of embedded key files"
        fi
        # dracut writes the image with cp, which keeps the mode of a file
        # that exists (Debian's initrd.img-* are 0644): with keys in it,
        # nobody but root may read it.
        if ((embedded)) && [[ -e ${outfile-} ]]; then
            chmod 0600 "$outfile" || _fsp_fatal "fscrypt-provision: cannot make $outfile mode 0600, and it will hold key material"
            dinfo "fscrypt-provision: $outfile holds key material: made it mode 0600"
        fi
    fi

    # The boot steps (initramfs/ in the tree), where the helper looks for
    # the companion: beside it, then in ../lib/fscrypt-provision/.
    local steps=${FSCRYPT_PROVISION_LIB-}
    [[ $steps ]] || steps=${bin%/*}/fscrypt-provision-lib.sh
    [[ -e $steps ]] || steps=${bin%/*/*}/lib/fscrypt-provision/fscrypt-provision-lib.sh
    inst_simple "$steps" /usr/lib/fscrypt-provision/fscrypt-provision-lib.sh ||
        _fsp_fatal "fscrypt-provision: cannot install the boot steps $steps"
    # rd.shell=0 runs shutdown-emergency, otherwise emergency; both modes.
    inst_hook emergency 00 "$moddir/fscrypt-provision-emergency.sh"
    inst_hook shutdown-emergency 00 "$moddir/fscrypt-provision-emergency.sh"
    if dracut_module_included "systemd"; then
        inst_script "$moddir/fscrypt-provision-initrd.sh" /usr/lib/fscrypt-provision/fscrypt-provision-initrd
        chmod 0755 "$initdir/usr/lib/fscrypt-provision/fscrypt-provision-initrd"
        inst_simple "$moddir/fscrypt-provision.service" "$systemdsystemunitdir/fscrypt-provision.service"
        inst_simple "$moddir/initrd-cleanup-fscrypt-provision.conf" \
            "$systemdsystemunitdir/initrd-cleanup.service.d/fscrypt-provision.conf"
        $SYSTEMCTL -q --root "$initdir" add-wants initrd.target fscrypt-provision.service
    else
        inst_hook pre-pivot 60 "$moddir/fscrypt-provision-pre-pivot.sh"
    fi
    return 0
}
