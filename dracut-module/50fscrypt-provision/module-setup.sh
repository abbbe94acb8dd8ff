#!/bin/bash
# SPDX-License-Identifier: MIT
# dracut module fscrypt-provision: provision fscrypt master keys from the
# initramfs into the durable "fscrypt-provision" keyring under root's user
# keyring, and unlock the encrypted directories of the real root, before
# switch_root. See README.md next to this file.
#
# Build-time settings (environment or dracut.conf.d):
#   FSCRYPT_PROVISION_BIN  the static helper (default /usr/sbin/fscrypt-provision)
#   fscrypttab             the table to read (default /etc/fscrypttab)
# Only entries with the "initramfs" option go into the initramfs, and only
# their key files are embedded.
# shellcheck disable=SC2154 # initdir, moddir, hostonly, systemdsystemunitdir, SYSTEMCTL: set by dracut

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
    dfatal "fscrypt-provision: $*"
    exit 1
}

# Splits one fscrypttab line into the array _fsp_f, the way the helper's
# parser does (src/fscrypttab.c): blanks separate fields, "..." takes \" and
# \\ escapes, '...' is literal, a backslash escapes one character and an
# unquoted # at the start of a field starts a comment. Returns 1 with
# _fsp_err set on a syntax error. It is a twin of that parser on purpose:
# with dracut --sysroot the helper is the target's binary, possibly of
# another architecture, so the build cannot run 'fscrypt-provision volumes';
# the helper parses the whole table again at boot.
_fsp_split() {
    local line=$1 n=${#1} i=0 c q field='' in_field=0
    _fsp_f=()
    while ((i < n)); do
        c=${line:i:1}
        if [[ $c == ' ' || $c == $'\t' ]]; then
            if ((in_field)); then
                _fsp_f+=("$field")
                in_field=0
            fi
            i=$((i + 1))
            continue
        fi
        if ((!in_field)); then
            [[ $c == '#' ]] && break
            field=''
            in_field=1
        fi
        i=$((i + 1))
        if [[ $c == '"' || $c == "'" ]]; then
            q=$c
            while :; do
                if ((i >= n)); then
                    _fsp_err="unterminated $q quote"
                    return 1
                fi
                c=${line:i:1}
                i=$((i + 1))
                [[ $c == "$q" ]] && break
                if [[ $c == "\\" && $q == '"' ]]; then
                    if ((i >= n)); then
                        _fsp_err="backslash at end of line"
                        return 1
                    fi
                    c=${line:i:1}
                    i=$((i + 1))
                fi
                field+=$c
            done
        elif [[ $c == "\\" ]]; then
            if ((i >= n)); then
                _fsp_err="backslash at end of line"
                return 1
            fi
            field+=${line:i:1}
            i=$((i + 1))
        else
            field+=$c
        fi
    done
    ((in_field)) && _fsp_f+=("$field")
    return 0
}

# Reads the build-time fscrypttab into parallel arrays, keeping only the
# entries with the "initramfs" option: _fsp_name, _fsp_mp, _fsp_key (the key
# file path, or empty for none), _fsp_line (the line, verbatim).
# Returns 1 with _fsp_err set if the table cannot be read or parsed, 2 if it
# does not exist.
_fsp_read_table() {
    local tab line lineno=0 opt src wanted
    local -a opts
    _fsp_name=()
    _fsp_mp=()
    _fsp_key=()
    _fsp_line=()
    tab=$(_fsp_tab)
    [[ -e $tab ]] || return 2
    if [[ ! -f $tab || ! -r $tab ]]; then
        _fsp_err="$tab is not a readable file"
        return 1
    fi
    while IFS= read -r line || [[ -n $line ]]; do
        lineno=$((lineno + 1))
        line=${line%$'\r'}
        if ! _fsp_split "$line"; then
            _fsp_err="$tab:$lineno: $_fsp_err"
            return 1
        fi
        ((${#_fsp_f[@]} == 0)) && continue
        if ((${#_fsp_f[@]} < 3 || ${#_fsp_f[@]} > 5)); then
            _fsp_err="$tab:$lineno: expected 3 to 5 fields (name, mountpoint, key source, directories, options), got ${#_fsp_f[@]}"
            return 1
        fi
        IFS=, read -r -a opts <<< "${_fsp_f[4]-}"
        wanted=0
        for opt in "${opts[@]}"; do
            [[ $opt == initramfs ]] && wanted=1
        done
        ((wanted)) || continue
        src=${_fsp_f[2]}
        case $src in
            none | -) src='' ;;
            file:/*) src=${src#file:} ;;
            /*) ;;
            fd:*)
                _fsp_err="$tab:$lineno: volume ${_fsp_f[0]}: key source $src cannot be used in the initramfs"
                return 1
                ;;
            *)
                _fsp_err="$tab:$lineno: volume ${_fsp_f[0]}: invalid key source '$src'"
                return 1
                ;;
        esac
        _fsp_name+=("${_fsp_f[0]}")
        _fsp_mp+=("${_fsp_f[1]}")
        _fsp_key+=("$src")
        _fsp_line+=("$line")
    done < "$tab"
    return 0
}

# Refuses a key file that others could read, or that is not a plain file:
# embedding it would copy a key that is already exposed, and the helper would
# reject it at boot anyway. Returns 1 with _fsp_err set.
_fsp_check_key() {
    local path=$1 host=${dracutsysrootdir-}$1 uid mode
    case $path in
        /run/* | /proc/* | /sys/* | /dev/* | /sysroot/*)
            _fsp_err="key file $path: /run, /proc, /sys, /dev and /sysroot are mounted over in the initramfs; keep the key elsewhere"
            return 1
            ;;
    esac
    if [[ -L $host ]]; then
        _fsp_err="key file $path is a symbolic link; refusing to embed it"
        return 1
    fi
    if [[ ! -f $host ]]; then
        _fsp_err="key file $path does not exist or is not a regular file"
        return 1
    fi
    if ! read -r uid mode < <(stat -c '%u %a' -- "$host"); then
        _fsp_err="cannot examine key file $path"
        return 1
    fi
    if [[ $uid != 0 ]] || (((8#$mode & 8#077) != 0)); then
        _fsp_err="key file $path is owned by uid $uid with mode $mode; refusing to embed a key that anyone but root can read (chown root, chmod 0600 or 0400)"
        return 1
    fi
    return 0
}

# called by dracut
check() {
    local r
    require_binaries "$(_fsp_bin)" || return 1
    # Host-only images get the module when the table asks for it, or when
    # the table is broken, so that install() stops the build and says why.
    if [[ $hostonly ]]; then
        _fsp_read_table
        r=$?
        ((r == 1)) && return 0
        ((r == 0 && ${#_fsp_name[@]} > 0)) && return 0
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
        _fsp_read_table || return 0
        for mp in "${_fsp_mp[@]}"; do
            fstype=$(findmnt -n -o FSTYPE --mountpoint "${dracutsysrootdir-}$mp" 2> /dev/null)
            [[ $fstype ]] && instmods "$fstype"
        done
    else
        # The filesystems that support fscrypt.
        instmods ext4 f2fs
    fi
    return 0
}

# called by dracut
install() {
    local bin tab i r
    bin=$(_fsp_bin)
    tab=$(_fsp_tab)
    inst_binary "$bin" /usr/sbin/fscrypt-provision || _fsp_fatal "cannot install $bin"

    _fsp_read_table
    r=$?
    if ((r == 1)); then
        _fsp_fatal "$_fsp_err"
    elif ((r == 2)); then
        dinfo "fscrypt-provision: no $tab; the initramfs only uses rd.fscrypt.tab="
    else
        for i in "${!_fsp_name[@]}"; do
            [[ ${_fsp_key[i]} ]] || continue
            _fsp_check_key "${_fsp_key[i]}" || _fsp_fatal "volume ${_fsp_name[i]}: $_fsp_err"
        done
        [[ -d $initdir/etc ]] || mkdir -m 0755 "$initdir/etc"
        {
            echo "# Generated by the dracut module fscrypt-provision from $tab:"
            echo "# the entries with the initramfs option. Mountpoints are"
            echo "# relative to the real root (fscrypt-provision apply --root)."
            for i in "${!_fsp_name[@]}"; do
                printf '%s\n' "${_fsp_line[i]}"
            done
        } > "$initdir/etc/fscrypttab"
        chmod 0644 "$initdir/etc/fscrypttab"
        for i in "${!_fsp_name[@]}"; do
            [[ ${_fsp_key[i]} ]] || continue
            inst_simple "${_fsp_key[i]}" || _fsp_fatal "cannot install key file ${_fsp_key[i]}"
            chown 0:0 "$initdir${_fsp_key[i]}"
            chmod 0400 "$initdir${_fsp_key[i]}"
            dinfo "fscrypt-provision: embedded the key of volume ${_fsp_name[i]}"
        done
    fi

    inst_simple "$moddir/fscrypt-provision-lib.sh" /lib/fscrypt-provision-lib.sh
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
