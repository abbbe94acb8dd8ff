#!/bin/sh
# SPDX-License-Identifier: MIT
# The boot steps of fscrypt-provision in an initramfs, whichever generator
# built it: the dracut module's pre-pivot hook and service, the
# initramfs-tools boot and panic scripts, and a hand-written /init source
# this file from /usr/lib/fscrypt-provision/fscrypt-provision-lib.sh in the
# image (each generator puts it there; for a hand-made image,
# fscrypt-provision-stage). POSIX sh, for busybox or klibc alone; every
# name starts with fsp_/_fsp_.
#
# The caller gives dracut-lib.sh's names: getarg NAME= (the last value),
# getargs NAME= (every value, one a line), getargbool DEFAULT NAME, info
# and warn; and NEWROOT, the real root's mountpoint (default /sysroot).
# Without dracut-lib.sh, fsp_cmdline defines the first three; fsp_boot
# defines them all, for a hand-written /init. FSP_INITRAMFS names the
# caller in the log (default: shell, or systemd with DRACUT_SYSTEMD set).
#
# Kernel command line:
#   rd.fscrypt=0               do nothing
#   rd.fscrypt.tab=PATH        use PATH instead of /etc/fscrypttab
#   rd.fscrypt.key=VOL:SOURCE  use SOURCE as the key source of volume VOL,
#                              or add VOL as a provision-only entry if the
#                              table lacks it (repeatable; SOURCE as in
#                              fscrypttab(5))
#   rd.fscrypt.password-timeout=SECONDS
#                              how long every volume's prompts wait for a
#                              person (0: no limit), in place of each
#                              entry's password-timeout= or default

# FSP_REASON says why fsp_apply failed; the callers read it.
# shellcheck disable=SC2034
FSP_REASON=
FSP_BIN=/usr/sbin/fscrypt-provision
FSP_RUNDIR=/run/fscrypt-provision
FSP_EMBEDDED=/etc/fscrypt-provision/embedded-keys
# The kernel command line that fsp_cmdline reads (a test gives its own).
FSP_PROC_CMDLINE=/proc/cmdline

# Appends a line to $FSP_RUNDIR/initrd.log, which outlives switch_root (it
# is on /run) so that the real system can see what happened at boot. The
# first call creates it, root's only; later ones only append, without a
# subshell: each fork costs tens of ms under QEMU's emulation.
fsp_log() {
    if [ -z "${_fsp_log_ready-}" ]; then
        (umask 077 && mkdir -p "$FSP_RUNDIR" && : >> "$FSP_RUNDIR/initrd.log") 2> /dev/null &&
            _fsp_log_ready=1
    fi
    { printf '%s\n' "$*" >> "$FSP_RUNDIR/initrd.log"; } 2> /dev/null
}

fsp_info() {
    fsp_log "$*"
    info "fscrypt-provision: $*"
}

fsp_warn() {
    fsp_log "WARNING: $*"
    warn "fscrypt-provision: $*"
}

# Removes the key files the generator embedded (their list is in
# FSP_EMBEDDED): once apply ran they are of no use, and the initramfs stays
# in memory until switch_root, or on to an emergency shell.
fsp_forget_keys() {
    [ -f "$FSP_EMBEDDED" ] || return 0
    while IFS= read -r _fsp_k; do
        [ -z "$_fsp_k" ] || rm -f -- "$_fsp_k"
    done < "$FSP_EMBEDDED"
    rm -f -- "$FSP_EMBEDDED"
}

# fsp_tpm2_done --initramfs|--final: extends PCR 15 (fscrypt-provision
# tpm2-extend): from here on no tpm2 slot of the initramfs unseals until the
# next boot, and with --final, none for the running system either
# (--tpm2-phase system). --initramfs after apply, whatever its result;
# --final on the way to every shell (the emergency and panic hooks). The helper decides whether
# there is a TPM to do it on. Logs to the kernel, not through info/warn:
# the panic hook has neither.
fsp_tpm2_done() {
    [ -x "$FSP_BIN" ] || return 0
    if _fsp_t=$("$FSP_BIN" tpm2-extend "$@" 2>&1); then
        fsp_log "$_fsp_t"
        printf '<6>fscrypt-provision: %s\n' "$_fsp_t" > /dev/kmsg 2> /dev/null
    else
        fsp_log "WARNING: ${_fsp_t#fscrypt-provision: }"
        printf '<3>%s\n' "$_fsp_t" > /dev/kmsg 2> /dev/null
    fi
    return 0
}

# Before any shell the initramfs opens: no key file left, no tpm2 slot of
# either phase unsealing.
fsp_before_shell() {
    fsp_forget_keys
    fsp_tpm2_done --final
}

# fsp_fatal: FSP_REASON, the reason fsp_apply failed, in the log and the
# kernel's; the caller then stops the boot in its own manner.
fsp_fatal() {
    fsp_log "FATAL: $FSP_REASON"
    printf '<3>fscrypt-provision: FATAL: %s\n' "$FSP_REASON" > /dev/kmsg 2> /dev/null
}

# fsp_apply: provisions every key of the table and unlocks what is mounted
# under $NEWROOT. Returns 0 when done (volumes marked nofail may have
# failed), 1 with FSP_REASON set when a volume without nofail failed.
fsp_apply() {
    _fsp_apply
    _fsp_rc=$?
    fsp_forget_keys
    fsp_tpm2_done --initramfs
    return "$_fsp_rc"
}

_fsp_apply() {
    FSP_REASON=
    # FSP_INITRAMFS: set by the initramfs-tools boot script, which shares
    # these steps.
    _fsp_mode=${FSP_INITRAMFS:-shell}
    [ -z "${DRACUT_SYSTEMD-}" ] || _fsp_mode=systemd
    fsp_log "initramfs: $_fsp_mode"
    if ! getargbool 1 rd.fscrypt; then
        fsp_info "disabled by rd.fscrypt=0"
        return 0
    fi
    _fsp_keys=$(getargs rd.fscrypt.key=)
    _fsp_tab=$(getarg rd.fscrypt.tab=)
    if [ -z "$_fsp_tab" ]; then
        _fsp_tab=/etc/fscrypttab
        if [ ! -e "$_fsp_tab" ] && [ -z "$_fsp_keys" ]; then
            fsp_info "no /etc/fscrypttab in the initramfs and no rd.fscrypt.tab= or rd.fscrypt.key=: nothing to do"
            return 0
        fi
    fi
    if [ ! -x "$FSP_BIN" ]; then
        FSP_REASON="$FSP_BIN is missing from the initramfs"
        return 1
    fi
    # No modprobe here: the kernel asks for the algorithms it needs
    # (hmac(sha512) when the key is added, aes and xts when a file is
    # read), and modprobe then loads every module of that alias, the
    # accelerated ones included. The generators put them in the image
    # (embed --manifest names them).
    # Loading all of them up front cost 0.5 s of self-tests under QEMU.

    # Each rd.fscrypt.key=VOLUME:SOURCE becomes apply --key VOLUME:SOURCE,
    # which checks it and overrides or adds the volume (fscrypt-provision(8)).
    case $- in *f*) _fsp_glob= ;; *) _fsp_glob=1 && set -f ;; esac
    # shellcheck disable=SC2086 # one word per rd.fscrypt.key=; no globbing
    set -- $_fsp_keys
    [ -z "$_fsp_glob" ] || set +f
    _fsp_n=$#
    for _fsp_kv in "$@"; do
        fsp_info "rd.fscrypt.key=$_fsp_kv: passed to apply as --key"
        set -- "$@" --key "$_fsp_kv"
    done
    shift "$_fsp_n"
    # The person's time for every volume; the helper checks the value.
    _fsp_pwt=$(getarg rd.fscrypt.password-timeout=)
    if [ -n "$_fsp_pwt" ]; then
        fsp_info "rd.fscrypt.password-timeout=$_fsp_pwt: passed to apply as --password-timeout"
        set -- "$@" --password-timeout "$_fsp_pwt"
    fi

    fsp_info "applying $_fsp_tab to ${NEWROOT:-/sysroot}"
    _fsp_output=$("$FSP_BIN" apply --tab "$_fsp_tab" --root "${NEWROOT:-/sysroot}" "$@" 2>&1)
    _fsp_rc=$?
    _fsp_errors=
    while IFS= read -r _fsp_line; do
        _fsp_line=${_fsp_line#fscrypt-provision: }
        case $_fsp_line in
            "") ;;
            error:* | "usage error:"*)
                fsp_warn "$_fsp_line"
                _fsp_errors="${_fsp_errors:+$_fsp_errors; }${_fsp_line#error: }"
                ;;
            warning:*) fsp_warn "$_fsp_line" ;;
            *) fsp_info "$_fsp_line" ;;
        esac
    done << EOF
$_fsp_output
EOF
    [ "$_fsp_rc" -ne 0 ] || { fsp_log "RESULT ok" && return 0; }
    # The exit code's name is the helper's (exit-codes).
    _fsp_name=$("$FSP_BIN" exit-codes "$_fsp_rc" 2> /dev/null) || _fsp_name="exit code $_fsp_rc"
    FSP_REASON="$_fsp_name (exit $_fsp_rc)${_fsp_errors:+: $_fsp_errors}"
    fsp_log "RESULT failed $_fsp_rc"
    return 1
}

# fsp_cmdline: dracut-lib's getarg, getargs and getargbool, on the kernel
# command line, for the callers without dracut-lib.sh (the initramfs-tools
# boot script, fsp_boot). Each is only called in a command substitution,
# whose set -f stays there.
fsp_cmdline() {
    _fsp_cmdline=$(cat "$FSP_PROC_CMDLINE")
    getargs() { # NAME=: every value, one word each
        set -f
        for _fsp_w in $_fsp_cmdline; do
            case $_fsp_w in "$1"*) printf '%s\n' "${_fsp_w#"$1"}" ;; esac
        done
    }
    getarg() { # NAME=: the last value (no tail: klibc-only images lack it)
        set -f
        _fsp_v=
        for _fsp_w in $_fsp_cmdline; do
            case $_fsp_w in "$1"*) _fsp_v=${_fsp_w#"$1"} ;; esac
        done
        [ -n "$_fsp_v" ] && printf '%s\n' "$_fsp_v"
    }
    getargbool() { # DEFAULT NAME: false for NAME=0, no or off
        _fsp_v=$(getarg "$2=") || return "$(($1 ? 0 : 1))"
        case $_fsp_v in 0 | no | off) return 1 ;; *) return 0 ;; esac
    }
}

# fsp_boot NEWROOT: the boot step of a hand-written /init (busybox alone:
# no udev, no systemd), once the real root is mounted on NEWROOT and before
# switch_root. The same command line (rd.fscrypt*), table, policy and key
# removal as the dracut and initramfs-tools boot steps; info and warn go
# to the kernel log, and to the console unless "quiet". Returns 0 when
# done (a nofail volume may have failed: the log says so), or 1 when a
# volume without nofail failed: the reason is on the console, in the
# kernel log and in FSP_REASON. The /init then decides: a shell (after
# fsp_before_shell), a reboot, or a boot without that volume.
fsp_boot() {
    NEWROOT=${1:?fsp_boot: the mountpoint of the real root}
    FSP_INITRAMFS=${FSP_INITRAMFS:-busybox}
    fsp_cmdline
    case " $_fsp_cmdline " in *" quiet "*) _fsp_quiet=1 ;; *) _fsp_quiet= ;; esac
    info() {
        printf '<6>%s\n' "$*" > /dev/kmsg 2> /dev/null
        [ -n "$_fsp_quiet" ] || printf '%s\n' "$*"
    }
    warn() {
        printf '<4>%s\n' "$*" > /dev/kmsg 2> /dev/null
        printf '%s\n' "$*" >&2
    }
    fsp_apply && return 0
    fsp_fatal
    printf 'fscrypt-provision: FATAL: %s\n' "$FSP_REASON" >&2
    return 1
}
