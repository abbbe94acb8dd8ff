#!/bin/sh
# SPDX-License-Identifier: MIT
# The real root's /sbin/init of TEST-13 (arm64) and TEST-14 (armhf), busybox sh: what the board's
# initramfs left (its log, /data unlocked, the unsealer's runs), then the
# update: fscrypt-provision-update pre, /data unmounted and mounted again,
# update post, which unlocks it by key id with no secret read; then the
# dump for the canary scan and the verdict (guest/fsp-test-lib.sh).
BB=/bin/busybox
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck source=../guest/fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh
t_init
CASE=$(t_cmdline_arg fsp.case)
DATA=$(t_cmdline_arg fsp.data)
LOG=/run/fscrypt-provision/initrd.log

key_status() { # PATH absent|present
    $FSP status --json "$1" | $BB grep -q "\"key_status\": \"$2\""
}
sums_ok() {
    (cd /data/vault && $BB sha256sum -c "$EXP/vault.sha256")
}
unseal_runs() {
    $BB cat /run/fsp-unseal.runs 2> /dev/null | $BB wc -l
}

MACHINE=$(t_cmdline_arg fsp.machine)
t_log "board, case $CASE: $($BB uname -m), kernel $($BB uname -r)"
t "the kernel is the board's ($MACHINE)" test "$($BB uname -m)" = "$MACHINE"
t "the boot step ran in a busybox initramfs (its log, shown here)" $BB grep -x -e "initramfs: busybox" -e "RESULT ok" "$LOG"
t "its result: ok" $BB grep -qx "RESULT ok" "$LOG"
t "/data/vault is unlocked" key_status /data/vault present
t "/data/vault's files are byte-identical" sums_ok
t_log "time: /data readable after the switch_root, at $($BB cut -d' ' -f1 /proc/uptime) s of uptime"
case $CASE in
exec)
    t "the unsealer ran once, in the initramfs" test "$(unseal_runs)" = 1
    t_not "no passphrase was asked for" $BB grep -q "asked for" "$LOG"
    ;;
pass)
    t "this image has no unsealer: it never ran" test "$(unseal_runs)" = 0
    t "the passphrase typed at the serial console unlocked it (the log)" \
        $BB grep "slot 1 (passphrase): Argon2id" "$LOG"
    ;;
*) t "a known case ($CASE)" false ;;
esac

# UBIFS (TEST-16): its mountinfo line, the helper's view of it, and a
# policy flag that UBIFS does not take, refused in a sentence.
if [ "$DATA" = ubifs ]; then
    # mountinfo_ubifs SOURCE: /data is UBIFS mounted from SOURCE, with no
    # block device (0:N).
    mountinfo_ubifs() {
        $BB grep " /data " /proc/self/mountinfo
        $BB grep -q -E "^[0-9]+ [0-9]+ 0:[0-9]+ / /data [^ ]+( [^ ]+)* - ubifs $1 " /proc/self/mountinfo
    }
    t "/data is UBIFS from ubi0:data (mountinfo, shown here)" mountinfo_ubifs ubi0:data
    status_ubifs() {
        $FSP status --json /data/vault > /run/status.json
        $BB cat /run/status.json
        $BB grep -q '"fstype": "ubifs"' /run/status.json && $BB grep -q '"version": 2' /run/status.json
    }
    t "status: ubifs, a v2 policy (shown here)" status_ubifs
    $BB mkdir /data/lblk
    lblk_refused() {
        $FSP set-policy --iv-ino-lblk-64 /data/lblk "$($FSP get-policy /data/vault | $BB head -n 1)" > /run/lblk.out 2>&1
        _r=$?
        $BB cat /run/lblk.out
        echo "exit $_r"
        [ "$_r" != 0 ] && [ "$($BB grep -c . /run/lblk.out)" = 1 ] && $BB grep -q "error: .*lblk" /run/lblk.out &&
            [ -z "$($BB ls -A /data/lblk)" ] && ! $FSP get-policy /data/lblk > /dev/null 2>&1
    }
    t "set-policy --iv-ino-lblk-64 on UBIFS: refused in one line, no policy set (shown here)" lblk_refused
fi

# The update, as an updater runs it.
t "fscrypt-provision-update pre: every key would come back" fscrypt-provision-update pre
t "the update unmounts /data" $BB umount /data
# UBIFS comes back under another name of the same volume, its device node.
remount_data() {
    if [ "$DATA" = ubifs ]; then
        $BB mount -t ubifs /dev/ubi0_0 /data
    else
        $BB mount -t ext4 "$(t_disk fspdata)" /data
    fi
}
t "and mounts it again" remount_data
t "/data/vault is locked after the remount" key_status /data/vault absent
post_by_key_id() {
    fscrypt-provision-update post > /run/post.out 2>&1
    _r=$?
    $BB cat /run/post.out
    [ "$_r" = 0 ] && $BB grep -q "unlocked on /data by key_id (was absent, now present" /run/post.out
}
t "fscrypt-provision-update post unlocks it by key id (shown here)" post_by_key_id
t "/data/vault is unlocked again" key_status /data/vault present
t "/data/vault's files are byte-identical after the update" sums_ok
[ "$DATA" != ubifs ] || t "UBIFS is back from /dev/ubi0_0 (mountinfo, shown here)" mountinfo_ubifs /dev/ubi0_0
t "no secret was read for it: the unsealer did not run again" \
    test "$(unseal_runs)" = "$([ "$CASE" = exec ] && echo 1 || echo 0)"
t "dump for the canary scan" t_dump
t_finish
