#!/bin/sh
# SPDX-License-Identifier: MIT
# fscrypt-provision in the initramfs: the steps the pre-pivot hook (shell
# initramfs) and fscrypt-provision.service (systemd initramfs) share.
# Sourced after dracut-lib.sh; POSIX sh; every name starts with fsp_/_fsp_.
#
# Kernel command line:
#   rd.fscrypt=0               do nothing
#   rd.fscrypt.tab=PATH        use PATH instead of /etc/fscrypttab
#   rd.fscrypt.key=VOL:SOURCE  use SOURCE as the key source of volume VOL,
#                              or add VOL as a provision-only entry if the
#                              table lacks it (repeatable; SOURCE as in
#                              fscrypttab(5))

# FSP_REASON says why fsp_apply or fsp_rewrite failed; the callers read it.
# shellcheck disable=SC2034
FSP_REASON=
FSP_BIN=/usr/sbin/fscrypt-provision
FSP_RUNDIR=/run/fscrypt-provision
FSP_MODULES="xts ecb cts sha512_generic"
FSP_OPTIONAL_MODULES="aesni_intel sha512_ssse3 adiantum"

# Names the helper's exit codes (fscrypt-provision(8)).
fsp_exit_name() {
    case $1 in
        0) echo "success" ;;
        2) echo "usage error" ;;
        3) echo "fscrypttab error" ;;
        4) echo "key source error" ;;
        5) echo "unsupported by the kernel or filesystem" ;;
        6) echo "key rejected" ;;
        7) echo "key unavailable" ;;
        8) echo "permission denied" ;;
        9) echo "key quota exceeded" ;;
        10) echo "busy" ;;
        11) echo "system error" ;;
        126 | 127) echo "helper missing or not executable" ;;
        *) echo "exit code $1" ;;
    esac
}

# Appends a line to $FSP_RUNDIR/initrd.log, which outlives switch_root (it
# is on /run) so that the real system can see what happened at boot.
fsp_log() {
    (umask 077 && mkdir -p "$FSP_RUNDIR" && printf '%s\n' "$*" >> "$FSP_RUNDIR/initrd.log") 2> /dev/null
}

fsp_info() {
    fsp_log "$*"
    info "fscrypt-provision: $*"
}

fsp_warn() {
    fsp_log "WARNING: $*"
    warn "fscrypt-provision: $*"
}

# Loads the algorithms fscrypt needs. Errors are reported, not fatal: the
# helper then says precisely what the kernel lacks.
fsp_load_modules() {
    # shellcheck disable=SC2086 # word splitting intended
    if ! modprobe -a -q $FSP_MODULES; then
        fsp_warn "could not load all of: $FSP_MODULES"
    fi
    # shellcheck disable=SC2086
    modprobe -a -q $FSP_OPTIONAL_MODULES 2> /dev/null
    return 0
}

# fsp_rewrite TAB OUT OVERRIDES: writes TAB to OUT with OVERRIDES
# ("VOL:SOURCE" words) applied; the last word for a volume wins. A volume
# of TAB gets SOURCE as its key source (its line must not use quoting); a
# volume TAB does not have is added as "VOL none SOURCE", an entry that is
# provisioned only, since the command line cannot say where it is mounted
# (fscrypttab(5), MOUNTPOINT none). Returns 1 with FSP_REASON set on error.
fsp_rewrite() {
    case $- in
        *f*) _fsp_noglob=1 ;;
        *) _fsp_noglob= ;;
    esac
    set -f
    _fsp_rewrite "$@"
    _fsp_r=$?
    [ -n "$_fsp_noglob" ] || set +f
    return $_fsp_r
}

# _fsp_volume_ok NAME: the helper's rule for volume names (fscrypttab(5)).
_fsp_volume_ok() {
    case $1 in
        '' | [.-]* | *[!A-Za-z0-9_.+@-]*) return 1 ;;
    esac
    [ "${#1}" -le 64 ]
}

# _fsp_unquote WORD: sets _fsp_uq to WORD without quotes and backslashes,
# which a valid volume name cannot contain, so that a quoted "root" or
# r\oot in the table still names root (and is then refused as quoted).
_fsp_unquote() {
    _fsp_uq=$1
    while :; do
        case $_fsp_uq in
            *[\"\'\\]*) _fsp_uq=${_fsp_uq%%[\"\'\\]*}${_fsp_uq#*[\"\'\\]} ;;
            *) return 0 ;;
        esac
    done
}

# _fsp_last_source VOL: sets _fsp_ls to the SOURCE of the last "VOL:SOURCE"
# in $_fsp_ovr.
_fsp_last_source() {
    _fsp_ls=
    for _fsp_lkv in $_fsp_ovr; do
        [ "${_fsp_lkv%%:*}" = "$1" ] && _fsp_ls=${_fsp_lkv#*:}
    done
    return 0
}

_fsp_rewrite() {
    _fsp_rtab=$1
    _fsp_out=$2
    _fsp_ovr=$3
    _fsp_found=
    _fsp_added=
    for _fsp_kv in $_fsp_ovr; do
        _fsp_v=${_fsp_kv%%:*}
        _fsp_s=${_fsp_kv#*:}
        if [ "$_fsp_v" = "$_fsp_kv" ] || [ -z "$_fsp_v" ] || [ -z "$_fsp_s" ]; then
            FSP_REASON="rd.fscrypt.key=$_fsp_kv: expected VOLUME:SOURCE"
            return 1
        fi
        if ! _fsp_volume_ok "$_fsp_v"; then
            FSP_REASON="rd.fscrypt.key=$_fsp_kv: invalid volume name '$_fsp_v': use 1-64 of A-Z a-z 0-9 _ . + @ -, not starting with '.' or '-'"
            return 1
        fi
        case $_fsp_s in
            *[\"\'\\#]*)
                FSP_REASON="rd.fscrypt.key=$_fsp_kv: the key source must not contain quotes, backslashes or #"
                return 1
                ;;
            /* | file:/* | fd:* | none | -) ;;
            *)
                FSP_REASON="rd.fscrypt.key=$_fsp_kv: invalid key source '$_fsp_s': expected /PATH, file:/PATH, fd:N or none"
                return 1
                ;;
        esac
    done
    if ! (umask 077 && mkdir -p "${_fsp_out%/*}" && : > "$_fsp_out"); then
        FSP_REASON="cannot write $_fsp_out"
        return 1
    fi
    while IFS= read -r _fsp_line || [ -n "$_fsp_line" ]; do
        # shellcheck disable=SC2086 # split into fields; globbing is off
        set -- $_fsp_line
        _fsp_new=
        _fsp_name=
        if [ $# -gt 0 ]; then
            _fsp_unquote "$1"
            _fsp_name=$_fsp_uq
        fi
        for _fsp_kv in $_fsp_ovr; do
            [ -n "$_fsp_name" ] && [ "${_fsp_kv%%:*}" = "$_fsp_name" ] || continue
            case $_fsp_line in
                *[\"\'\\]*)
                    FSP_REASON="cannot apply rd.fscrypt.key to volume $_fsp_name: its line in $_fsp_rtab uses quotes or backslashes"
                    return 1
                    ;;
            esac
            _fsp_new=${_fsp_kv#*:}
        done
        if [ -z "$_fsp_new" ]; then
            printf '%s\n' "$_fsp_line" >> "$_fsp_out"
            continue
        fi
        _fsp_i=0
        _fsp_mp=
        _fsp_dirs=-
        _fsp_opts=-
        for _fsp_w in "$@"; do
            case $_fsp_w in \#*) break ;; esac
            _fsp_i=$((_fsp_i + 1))
            case $_fsp_i in
                2) _fsp_mp=$_fsp_w ;;
                4) _fsp_dirs=$_fsp_w ;;
                5) _fsp_opts=$_fsp_w ;;
            esac
        done
        printf '%s %s %s %s %s\n' "$_fsp_name" "$_fsp_mp" "$_fsp_new" \
            "$_fsp_dirs" "$_fsp_opts" >> "$_fsp_out"
        _fsp_found="$_fsp_found $_fsp_name"
        fsp_info "volume $_fsp_name: key source $_fsp_new (from rd.fscrypt.key)"
    done < "$_fsp_rtab"
    # Volumes the table does not have: one provision-only entry each.
    for _fsp_kv in $_fsp_ovr; do
        _fsp_v=${_fsp_kv%%:*}
        case " $_fsp_found $_fsp_added " in
            *" $_fsp_v "*) continue ;;
        esac
        _fsp_added="$_fsp_added $_fsp_v"
        _fsp_last_source "$_fsp_v"
        _fsp_s=$_fsp_ls
        _fsp_why="no volume $_fsp_v in $_fsp_rtab"
        [ "$_fsp_rtab" != /dev/null ] || _fsp_why="no fscrypttab"
        case $_fsp_s in
            none | -)
                fsp_warn "rd.fscrypt.key=$_fsp_v:$_fsp_s: $_fsp_why, and an entry with neither a mountpoint nor a key source would do nothing; ignored"
                continue
                ;;
        esac
        if ! printf '%s none %s - -\n' "$_fsp_v" "$_fsp_s" >> "$_fsp_out"; then
            FSP_REASON="cannot write $_fsp_out"
            return 1
        fi
        fsp_info "volume $_fsp_v: added from rd.fscrypt.key ($_fsp_why) with key source $_fsp_s, provision only (mountpoint none); after switch_root unlock it with 'fscrypt-provision unlock --volume $_fsp_v DIR'"
    done
    return 0
}

# fsp_apply: provisions every key of the table and unlocks what is mounted
# under $NEWROOT. Returns 0 when done (volumes marked nofail may have
# failed), 1 with FSP_REASON set when a volume without nofail failed.
fsp_apply() {
    FSP_REASON=
    if [ -n "${DRACUT_SYSTEMD-}" ]; then
        fsp_log "initramfs: systemd"
    else
        fsp_log "initramfs: shell"
    fi
    if ! getargbool 1 rd.fscrypt; then
        fsp_info "disabled by rd.fscrypt=0"
        return 0
    fi
    _fsp_keys=$(getargs rd.fscrypt.key=)
    _fsp_tab=$(getarg rd.fscrypt.tab=)
    if [ -n "$_fsp_tab" ]; then
        if [ ! -f "$_fsp_tab" ]; then
            FSP_REASON="rd.fscrypt.tab=$_fsp_tab: no such file"
            return 1
        fi
    else
        _fsp_tab=/etc/fscrypttab
        if [ ! -e "$_fsp_tab" ] && [ -z "$_fsp_keys" ]; then
            fsp_info "no /etc/fscrypttab in the initramfs and no rd.fscrypt.tab= or rd.fscrypt.key=: nothing to do"
            return 0
        fi
        if [ ! -e "$_fsp_tab" ]; then
            # rd.fscrypt.key= alone: it adds its volumes to an empty table.
            fsp_info "no /etc/fscrypttab in the initramfs: rd.fscrypt.key= starts from an empty table"
            _fsp_tab=/dev/null
        fi
    fi
    if [ ! -x "$FSP_BIN" ]; then
        FSP_REASON="$FSP_BIN is missing from the initramfs"
        return 1
    fi
    fsp_load_modules

    if [ -n "$_fsp_keys" ]; then
        # One line per rd.fscrypt.key=; fsp_rewrite splits them into words.
        fsp_rewrite "$_fsp_tab" "$FSP_RUNDIR/fscrypttab" "$_fsp_keys" || return 1
        _fsp_tab=$FSP_RUNDIR/fscrypttab
    fi

    fsp_info "applying $_fsp_tab to ${NEWROOT:-/sysroot}"
    _fsp_output=$("$FSP_BIN" apply --tab "$_fsp_tab" --root "${NEWROOT:-/sysroot}" 2>&1)
    _fsp_rc=$?
    _fsp_errors=
    while IFS= read -r _fsp_line; do
        _fsp_line=${_fsp_line#fscrypt-provision: }
        case $_fsp_line in
            "") ;;
            error:*)
                fsp_warn "$_fsp_line"
                _fsp_errors="${_fsp_errors:+$_fsp_errors; }${_fsp_line#error: }"
                ;;
            warning:*) fsp_warn "$_fsp_line" ;;
            *) fsp_info "$_fsp_line" ;;
        esac
    done << EOF
$_fsp_output
EOF
    if [ "$_fsp_rc" -eq 0 ]; then
        fsp_log "RESULT ok"
        return 0
    fi
    FSP_REASON="$(fsp_exit_name "$_fsp_rc") (exit $_fsp_rc)${_fsp_errors:+: $_fsp_errors}"
    fsp_log "RESULT failed $_fsp_rc"
    return 1
}
