#!/bin/sh
# SPDX-License-Identifier: MIT
# fsp-test.service of TEST-64, run once per userspace: after the boot, after
# a plain soft-reboot, and after one into the root on /run/nextroot. /run
# outlives a soft-reboot: the phase, the check log and the times are kept
# there. The soft-reboots follow fscrypt-provision-update(8): update pre,
# the new root on /run/nextroot (the second time), systemctl soft-reboot;
# then update post in the new userspace.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BB=/bin/busybox
# shellcheck source=../../guest/fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh
# shellcheck source=/dev/null
. /usr/lib/fsp-test/expected.env

U=fscrypt-provision-unlock@data.service
R=fscrypt-provision-unlock@root.service
PHASE_FILE=/run/fsp-soft-phase
PHASE=$($BB cat "$PHASE_FILE" 2> /dev/null || echo boot)

key_status() { # PATH absent|present
    $FSP status --json "$1" | $BB grep -q "\"key_status\": \"$2\""
}

sums_ok() { # DIR SUMFILE
    (cd "$1" && $BB sha256sum -c "$2")
}

prop() { # UNIT PROPERTY
    systemctl show --value -p "$2" "$1"
}

# The unit's log of its current run.
run_log() { # UNIT
    journalctl -o cat --no-pager _SYSTEMD_INVOCATION_ID="$(prop "$1" InvocationID)"
}

# awk, not shell arithmetic: the hundredths ("08") would read as octal.
# shellcheck disable=SC2016 # awk's own $1
now_us() {
    $BB awk '{ printf "%.0f\n", $1 * 1000000 }' /proc/uptime
}

# The provisioning keys: volume and key serial, a line each.
keys() {
    $FSP list --json | $BB sed -n 's/.*"key_id": \([0-9]*\), "volume": "\([a-z]*\)".*/\2 \1/p' | $BB sort
}

# No TPM answers: tpm2-extend extends nothing (it counts a missing TPM as
# nothing to end, and says so).
tpm_gone() {
    $FSP tpm2-extend --json 2>&1 | $BB grep -q '"extended": false'
}

# wait_for TRIES COMMAND...: until it succeeds, TRIES times half a second.
wait_for() {
    _n=$1
    shift
    until "$@"; do
        _n=$((_n - 1))
        [ "$_n" -gt 0 ] || return 1
        $BB sleep 0.5
    done
}

# The unit's current run's log has a line matching ERE.
logged() { # UNIT ERE
    run_log "$1" | $BB grep -E "$2"
}

same_keys() {
    keys | $BB cmp - /run/fsp-keys.before
}

# ms US: microseconds as seconds, two decimals.
secs() {
    echo "$(($1 / 1000000)).$($BB printf '%02d' $(($1 % 1000000 / 10000)))"
}

# The checks after each start of userspace.
common() {
    t "PID 1 is systemd" $BB grep -qx systemd /proc/1/comm
    t "$U is active" test "$(systemctl is-active "$U")" = active
    t "/data/vault is unlocked" key_status /data/vault present
    t "/data/vault's files are byte-identical" sums_ok /data/vault "$EXP/vault.sha256"
    t "/secret (root) is unlocked" key_status /secret present
    t "/secret's files are byte-identical" sums_ok /secret "$EXP/secret.sha256"
    t_not "nobody was asked for anything" sh -c "journalctl -b -o cat --no-pager | $BB grep 'asked for'"
}

# The first boot's /data readable, from the kernel's start; the soft-reboot's,
# from the command.
report_time() { # WHAT
    _t=$(prop "$U" ActiveEnterTimestampMonotonic)
    if [ "$1" = boot ]; then
        t_log "time: full boot: /data readable $(secs "$_t") s after the kernel started"
    else
        _t0=$($BB cat /run/fsp-soft-t0)
        t_log "time: $1: /data readable $(secs $((_t - _t0))) s after systemctl soft-reboot"
    fi
}

# soft_reboot NEXT PHASE: the documented flow; NEXT is the disk of the new
# root (mounted on /run/nextroot), or - for the same root.
soft_reboot() {
    t "fscrypt-provision-update pre: every key would come back" fscrypt-provision-update pre
    if [ "$1" != - ]; then
        $BB mkdir -p /run/nextroot
        t "the new root on /run/nextroot" $BB mount -o ro "$1" /run/nextroot
        t "it is root image B" $BB grep -qx B /run/nextroot/etc/fsp-slot
    fi
    keys > /run/fsp-keys.before
    echo "$2" > "$PHASE_FILE"
    now_us > /run/fsp-soft-t0
    t_log "soft-reboot into phase $2"
    systemctl soft-reboot
    # Killed by the soft-reboot; this only runs if it did not happen.
    $BB sleep 120
    t "systemctl soft-reboot happened within 120 s" false
    t_finish
}

case $PHASE in
boot)
    t_log "the first boot, root image $($BB cat /etc/fsp-slot)"
    t "this is root image A" $BB grep -qx A /etc/fsp-slot
    common
    t "the initramfs's TPM unsealed /data's slot (its log, shown here)" \
        $BB grep 'volume data: slot 1 (tpm2): the TPM unsealed it' /run/fscrypt-provision/initrd.log
    report_time boot
    # The update unmounts and mounts /data itself, as an updater would.
    t "the update unmounts /data" $BB umount /data
    t "and mounts it again" $BB mount /data
    t "$U unlocked it again" wait_for 30 key_status /data/vault present
    t "/data/vault's files are byte-identical after the update's remount" sums_ok /data/vault "$EXP/vault.sha256"
    # No TPM from here on: the host stops swtpm when it reads this line.
    t_log "FSP-STOP-THE-TPM"
    t "the TPM is gone (the host stopped swtpm)" wait_for 120 tpm_gone
    soft_reboot - soft
    ;;
soft)
    t_log "after systemctl soft-reboot, root image $($BB cat /etc/fsp-slot)"
    t "still root image A" $BB grep -qx A /etc/fsp-slot
    report_time soft-reboot
    common
    t "$U's log: by key_id, from the keyring (shown here)" \
        logged "$U" 'unlocked on /data by key_id \(was absent, now present\)'
    t "the same provisioning keys, the same serials" same_keys
    t "the TPM is still gone" tpm_gone
    t "fscrypt-provision-update post" fscrypt-provision-update post
    soft_reboot "$(t_disk fspnext)" nextroot
    ;;
nextroot)
    t_log "after a soft-reboot into /run/nextroot, root image $($BB cat /etc/fsp-slot)"
    t "this is root image B" $BB grep -qx B /etc/fsp-slot
    t "/ is the image of disk fspnext" $BB grep -q "^$(t_disk fspnext) / " /proc/mounts
    report_time "soft-reboot into /run/nextroot"
    common
    t "$R unlocked the new root's /secret by key_id (shown here)" \
        logged "$R" 'unlocked on / by key_id \(was absent, now present\)'
    t "the same provisioning keys, the same serials" same_keys
    t "the TPM is still gone" tpm_gone
    t "fscrypt-provision-update post" fscrypt-provision-update post
    t "dump for the canary scan" t_dump
    # The counts of all three userspaces, from the log they share.
    FSP_T_COUNT=$($BB grep -c -e '^ok - ' -e '^not ok - ' "$FSP_T_LOG")
    FSP_T_FAILED=$($BB grep -c '^not ok - ' "$FSP_T_LOG")
    t_finish
    ;;
*)
    t "a known phase ($PHASE)" false
    t_finish
    ;;
esac
t_finish
