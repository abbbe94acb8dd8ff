#!/bin/sh
# SPDX-License-Identifier: MIT
# Guest side of the QEMU tests: checks, the verdict and the dump for the
# host's canary scan. Sourced by the real root's /sbin/init and by the test
# module's emergency hook in the initramfs; busybox sh, every tool through
# $BB so that it works in both. The host reads the marker disk (serial
# fspmarker): the log from byte 0, the dump from 1 MiB. The verdict also
# leaves QEMU through isa-debug-exit: 0x2a (exit 85) pass, 0x15 (exit 43) fail.

# shellcheck disable=SC2034 # FSP and EXP are for the scripts that source this
: "${BB:=/bin/busybox}"
FSP_T_LOG=/run/fsp-test.log
FSP_T_FAILED=0
FSP_T_COUNT=0
FSP=/usr/sbin/fscrypt-provision
EXP=/usr/lib/fsp-test

# t_init: the first thing each /sbin/init of the test roots does. dracut
# and systemd move /proc, /sys, /dev and /run into the new root; a root
# booted another way gets them here. systemd's switch_root leaves the new
# init with stdio on /dev/null, so it is pointed at the console.
t_init() {
    [ -e /proc/self ] || $BB mount -t proc proc /proc
    [ -d /sys/kernel ] || $BB mount -t sysfs sysfs /sys
    [ -c /dev/console ] || $BB mount -t devtmpfs devtmpfs /dev
    $BB grep -q ' /run ' /proc/mounts || $BB mount -t tmpfs -o mode=0755 tmpfs /run
    exec < /dev/console > /dev/console 2>&1
    # An init that stops before t_finish (a command that exits the shell,
    # a syntax error, a signal) still leaves QEMU with a verdict, FAIL,
    # instead of a kernel panic the host can only time out on.
    trap 't_early_exit $?' EXIT
    trap 't_early_exit signal' INT TERM HUP
}

t_early_exit() {
    trap - EXIT INT TERM HUP
    [ -n "${FSP_T_DONE-}" ] && return 0
    t_log "not ok - the init script ended before its verdict ($1)"
    FSP_T_FAILED=$((FSP_T_FAILED + 1))
    FSP_T_COUNT=$((FSP_T_COUNT + 1))
    t_finish
}

t_log() {
    echo "$*" >> "$FSP_T_LOG"
    echo "fsp-test: $*" > /dev/console 2> /dev/null
}

# t DESCRIPTION COMMAND...: one check; its output goes to the log.
t() {
    _t_desc=$1
    shift
    FSP_T_COUNT=$((FSP_T_COUNT + 1))
    if _t_out=$("$@" 2>&1); then
        t_log "ok - $_t_desc"
    else
        t_log "not ok - $_t_desc"
        FSP_T_FAILED=$((FSP_T_FAILED + 1))
    fi
    [ -n "$_t_out" ] && printf '%s\n' "$_t_out" | $BB sed 's/^/#   /' | $BB head -n 40 >> "$FSP_T_LOG"
    return 0
}

# t_not DESCRIPTION COMMAND...: a check that COMMAND fails.
t_not() {
    _t_desc=$1
    shift
    t "$_t_desc" t_inverse "$@"
}

t_inverse() {
    if "$@"; then
        return 1
    fi
    return 0
}

# The value of NAME=VALUE on the kernel command line.
t_cmdline_arg() {
    for _a in $($BB cat /proc/cmdline); do
        case $_a in "$1"=*) echo "${_a#*=}" && return 0 ;; esac
    done
    return 1
}

# The block device whose virtio serial is $1.
t_disk() {
    for _d in /sys/block/vd*; do
        [ "$($BB cat "$_d/serial" 2> /dev/null)" = "$1" ] && echo "/dev/${_d##*/}" && return 0
    done
    return 1
}

# Dumps what the host scans for the raw keys, from 1 MiB on the marker disk:
# every process's command line, environment and readable memory, the kernel
# messages, and a tar of every file reachable from / (tmpfs /run and other
# mounts included; /proc, /sys and /dev left out). It is staged on a tmpfs
# under /dev (outside the tar) and written in whole MiB blocks afterwards: a
# dd reading the dump from a pipe would itself be dumped while it runs,
# which takes seconds per MiB under TCG. Fails if any part fails.
t_dump() {
    _marker=$(t_disk fspmarker) || { t_log "dump: no marker disk"; return 1; }
    _stage=/dev/.fsp-dump
    t_log "dump for the canary scan: start at $($BB cut -d' ' -f1 /proc/uptime) s"
    $BB mkdir -p "$_stage" && $BB mount -t tmpfs -o size=512m tmpfs "$_stage" ||
        { t_log "dump: cannot mount a tmpfs on $_stage"; return 1; }
    for _p in /proc/[0-9]*; do
        # Kernel threads have no mappings.
        { read -r _first < "$_p/maps"; } 2> /dev/null || continue
        $BB cat "$_p/cmdline" "$_p/environ" 2> /dev/null
        while read -r _range _perm _rest; do
            case $_perm in r*) ;; *) continue ;; esac
            case $_rest in *"[vsyscall]"*) continue ;; esac
            _start=$((0x${_range%-*}))
            _end=$((0x${_range#*-}))
            $BB dd if="$_p/mem" bs=4096 skip=$((_start / 4096)) \
                count=$(((_end - _start) / 4096)) 2> /dev/null
        done 2> /dev/null < "$_p/maps"
    done > "$_stage/proc" || { t_log "dump: reading process memory failed"; return 1; }
    $BB dmesg > "$_stage/dmesg" || { t_log "dump: dmesg failed"; return 1; }
    # shellcheck disable=SC2046 # top-level names without blanks
    (cd / && $BB tar -c -f - $($BB ls -A | $BB grep -v -x -e proc -e sys -e dev)) \
        > "$_stage/all.tar" || { t_log "dump: tar of the files failed"; return 1; }
    $BB cat "$_stage/proc" "$_stage/dmesg" "$_stage/all.tar" |
        $BB dd of="$_marker" ibs=65536 obs=1048576 seek=1 conv=fsync 2> /dev/null ||
        { t_log "dump: writing the marker disk failed"; return 1; }
    _size=$($BB cat "$_stage/proc" "$_stage/dmesg" "$_stage/all.tar" | $BB wc -c)
    $BB umount "$_stage"
    t_log "dump for the canary scan: done at $($BB cut -d' ' -f1 /proc/uptime) s, $_size bytes"
}

# Writes the log and the verdict to the marker disk and leaves QEMU.
t_finish() {
    FSP_T_DONE=1
    if [ "$FSP_T_COUNT" -eq 0 ]; then
        t_log "not ok - no check ran"
        FSP_T_FAILED=1
    fi
    if [ "$FSP_T_FAILED" -eq 0 ]; then
        _verdict=PASS
        _byte='\052'
    else
        _verdict=FAIL
        _byte='\025'
    fi
    t_log "uptime $($BB cut -d' ' -f1 /proc/uptime) s"
    t_log "RESULT $_verdict ($FSP_T_FAILED of $FSP_T_COUNT checks failed)"
    if _marker=$(t_disk fspmarker); then
        # Staged in a file: dd would pad every short read from a pipe.
        { echo "FSP-MARKER-BEGIN"; $BB head -c 900000 "$FSP_T_LOG"; echo "FSP-MARKER-END"; } \
            > /run/fsp-marker.txt
        $BB dd if=/run/fsp-marker.txt of="$_marker" bs=1M count=1 conv=fsync 2> /dev/null
    fi
    $BB sync
    # shellcheck disable=SC2059 # the octal escape is the point
    printf "$_byte" | $BB dd of=/dev/port bs=1 seek=244 count=1 2> /dev/null
    # Only reached without isa-debug-exit.
    $BB poweroff -f
}
