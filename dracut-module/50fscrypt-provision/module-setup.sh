#!/bin/bash
# SPDX-License-Identifier: MIT
# dracut module fscrypt-provision: provision fscrypt master keys from the
# initramfs into the durable "fscrypt-provision" keyring under root's user
# keyring, and unlock the encrypted directories of the real root, before
# switch_root. See README.md next to this file.
#
# What goes in the image is the helper's choice: install() and
# installkernel() install, with dracut's own functions, each item that
# "fscrypt-provision embed --manifest" names (fscrypt-provision(8)): the
# initramfs entries and their key or slots files, checked with the rules
# apply uses at boot, the helper, the boot steps, the TPM programs and
# libraries, the kernel modules and the image's mode. The initramfs-tools
# hook installs the same manifest with its own functions. This file adds
# only dracut's hooks and units.
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
#   FSCRYPT_PROVISION_LIB        the boot steps (embed --boot-steps)
#   FSCRYPT_PROVISION_TPM2_BIN   the TPM companion (embed --companion)
#   fscrypt_provision_tpm2=yes   TPM support even when no embedded slots
#                                file has a tpm2 slot (embed --tpm2; for
#                                rd.fscrypt.key= files)
# shellcheck disable=SC2154 # initdir, moddir, hostonly, systemdsystemunitdir, SYSTEMCTL, outfile: set by dracut

_fsp_bin() {
    printf '%s\n' "${FSCRYPT_PROVISION_BIN:-${dracutsysrootdir-}/usr/sbin/fscrypt-provision}"
}

_fsp_tab() {
    printf '%s\n' "${fscrypttab:-${dracutsysrootdir-}/etc/fscrypttab}"
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

# _fsp_manifest DIR: fscrypt-provision embed --manifest on this build's
# table (and root, for --sysroot) into DIR/manifest; 0, or 1 with embed's
# reason on stderr.
_fsp_manifest() {
    local tpm2=
    [[ ${fscrypt_provision_tpm2-} == yes ]] && tpm2=--tpm2
    # shellcheck disable=SC2086 # $tpm2: one word or none
    "${FSCRYPT_PROVISION_BUILD_BIN:-$(_fsp_bin)}" embed --quiet --tab "$(_fsp_tab)" \
        ${dracutsysrootdir:+--sysroot "$dracutsysrootdir"} --manifest "$1" --helper "$(_fsp_bin)" \
        ${FSCRYPT_PROVISION_LIB:+--boot-steps "$FSCRYPT_PROVISION_LIB"} \
        ${FSCRYPT_PROVISION_TPM2_BIN:+--companion "$FSCRYPT_PROVISION_TPM2_BIN"} \
        $tpm2 > "$1/manifest"
}

# _fsp_need NEED WHAT WHY: an item that could not be installed.
_fsp_need() {
    [[ $1 == optional ]] || _fsp_fatal "fscrypt-provision: cannot install $2 ($3)"
}

# _fsp_plugin_libs FILE: the libraries that FILE, a library a program loads
# with dlopen() (a PKCS#11 module), links. dracut-install follows the
# libraries of executables only, and Debian installs libraries mode 0644:
# without this, SoftHSM2's module would come without libstdc++.
_fsp_plugin_libs() {
    local lib libs
    if ! libs=$(ldd "${dracutsysrootdir-}$1" 2> /dev/null); then
        dwarn "fscrypt-provision: cannot list the libraries $1 links (ldd): make sure the image has them"
        return 0
    fi
    while read -r lib; do
        inst_library "$lib" || return 1
    done < <(sed -n 's|.*=> \(/[^ ]*\) (0x.*|\1|p' <<< "$libs")
}

# _fsp_put SRC DST MODE: a file, owned by root. cp, not inst_simple: SRC
# is a path on the build host, which dracut --sysroot would look for below
# the sysroot.
_fsp_put() {
    mkdir -p "$initdir${2%/*}" && cp --remove-destination "$1" "$initdir$2" &&
        chown 0:0 "$initdir$2" && chmod "$3" "$initdir$2" ||
        _fsp_fatal "fscrypt-provision: cannot install $1 at $2"
}

# _fsp_item PHASE TYPE FIELDS...: installs one item of the manifest;
# installkernel() (PHASE kernel) takes the modules, install() the rest.
_fsp_item() {
    local phase=$1 type=$2
    shift 2
    [[ $type == module ]] && [[ $phase != kernel ]] && return 0
    [[ $type != module ]] && [[ $phase == kernel ]] && return 0
    case $type in
        binary)
            { inst_binary "$1" "$2" && { [[ -x ${dracutsysrootdir-}$1 ]] || _fsp_plugin_libs "$1"; }; } ||
                _fsp_need "$3" "$1" "$4"
            ;;
        library) inst_libdir_file "$1" || _fsp_need "$2" "$1" "$3" ;;
        module)
            if [[ $2 == required ]]; then
                hostonly='' instmods -c "$1" || _fsp_need "$2" "kernel module $1" "$3"
            else
                instmods "$1"
            fi
            ;;
        dir)
            mkdir -p "$initdir$1" && chown 0:0 "$initdir$1" && chmod "$2" "$initdir$1" ||
                _fsp_fatal "fscrypt-provision: cannot create $1"
            ;;
        file) _fsp_put "$1" "$2" "$3" ;;
        key)
            _fsp_put "$1" "$2" "$3"
            dinfo "fscrypt-provision: embedded the $5 key file of volume $4 (identifier $6)"
            ;;
        image-mode)
            # dracut writes a new image under its umask 077, and copies it
            # over an existing one with cp, which keeps that file's mode
            # (Debian's initrd.img-* are 0644).
            if [[ -e ${outfile-} ]]; then
                chmod "$1" "$outfile" || _fsp_fatal "fscrypt-provision: cannot make $outfile mode $1, and it will hold key material"
                dinfo "fscrypt-provision: $outfile holds key material: made it mode $1"
            fi
            ;;
        *) _fsp_fatal "fscrypt-provision: $(_fsp_bin) names an item this module does not know ($type): install the same version of both" ;;
    esac
}

# _fsp_install PHASE: installs the manifest's items of PHASE (kernel or
# files); a refusal of embed stops the build with its reason.
_fsp_install() {
    local dir msg version='' type a b c d e f
    dir=$(mktemp -d) || _fsp_fatal "fscrypt-provision: cannot create a temporary directory"
    if ! msg=$(_fsp_manifest "$dir" 2>&1); then
        rm -rf "$dir"
        _fsp_fatal "${msg:-fscrypt-provision: embed failed on $(_fsp_tab)}"
    fi
    while IFS=$'\t' read -r type a b c d e f; do
        if [[ ! $version ]]; then
            [[ $type == fscrypt-provision-manifest && $a == 1 ]] ||
                _fsp_fatal "fscrypt-provision: $(_fsp_bin) writes no manifest of version 1: install the same version of both"
            version=1
            continue
        fi
        _fsp_item "$1" "$type" "$a" "$b" "$c" "$d" "$e" "$f"
    done < "$dir/manifest"
    [[ $1 == kernel || -e $dir/fscrypttab ]] ||
        dinfo "fscrypt-provision: no initramfs entry in $(_fsp_tab); the initramfs only uses rd.fscrypt.tab= and rd.fscrypt.key="
    rm -rf "$dir"
    [[ $version ]] || _fsp_fatal "fscrypt-provision: $(_fsp_bin) wrote no manifest"
}

# called by dracut
check() {
    local dir r=255
    # Not require_binaries: it puts dracut's --sysroot in front of a path
    # that _fsp_bin has already put it in front of.
    if [[ ! -x $(_fsp_bin) ]]; then
        dinfo "fscrypt-provision: $(_fsp_bin) is missing; the module is left out"
        return 1
    fi
    # Host-only images get the module when the table has initramfs
    # entries (the image then gets a table), or when embed refuses the
    # table, so that install() stops the build and says why.
    if [[ $hostonly && -e $(_fsp_tab) ]]; then
        dir=$(mktemp -d) || return 0
        if ! _fsp_manifest "$dir" 2> /dev/null || [[ -e $dir/fscrypttab ]]; then
            r=0
        fi
        rm -rf "$dir"
    fi
    return $r
}

# called by dracut
depends() {
    # dracut-lib.sh (getarg, info, warn, die) comes from base.
    echo base
    return 0
}

# called by dracut
installkernel() {
    _fsp_install kernel
    return 0
}

# called by dracut
install() {
    _fsp_install files
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
