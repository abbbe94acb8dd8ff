#!/bin/sh
# SPDX-License-Identifier: MIT
# fsp-test.service of TEST-62, with systemd as PID 1 in the real root: the
# volumes pass and tpm (no initramfs option, on /srv) were provisioned by
# the generator's load units at boot (pass by the passphrase typed at the
# console agent, tpm by the TPM with no prompt), PCR 15's phase for the
# running system ended after them, and both stay unlocked across a
# remount. Verdict through the marker disk (fsp-test-lib.sh), with a dump
# for the canary scan.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BB=/bin/busybox
# shellcheck source=../../guest/fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh

G=/run/systemd/generator
EXP=/usr/lib/fsp-test

key_status() { # PATH absent|present
    $FSP status --json "$1" | $BB grep -q "\"key_status\": \"$2\""
}

sums_ok() { # DIR SUMFILE
    (cd "$1" && $BB sha256sum -c "$2")
}

is_active() { # UNIT
    [ "$(systemctl is-active "$1")" = active ]
}

prop() { # UNIT PROPERTY
    systemctl show --value -p "$2" "$1"
}

# before A B: unit A became active no later than unit B.
before() {
    _a=$(prop "$1" ActiveEnterTimestampMonotonic)
    _b=$(prop "$2" ActiveEnterTimestampMonotonic)
    echo "$1 at $_a us, $2 at $_b us"
    [ "$_a" -gt 0 ] && [ "$_b" -gt 0 ] && [ "$_a" -le "$_b" ]
}

# journal UNIT: what the unit logged.
journal() {
    journalctl -b -o cat --no-pager -u "$1"
}

uptime_s() {
    _u=$($BB cut -d' ' -f1 /proc/uptime)
    echo "${_u%.*}"
}

wait_for() { # COMMAND...: until it succeeds, for up to 15 s of uptime
    _end=$(($(uptime_s) + 15))
    until "$@"; do
        [ "$(uptime_s)" -lt "$_end" ] || return 1
        $BB sleep 0.2
    done
}

LP=fscrypt-provision-load@pass.service
LT=fscrypt-provision-load@tpm.service
END=fscrypt-provision-tpm2-end.service
t_log "systemd in the real root; /srv on $(t_disk fspsrv)"
t "PID 1 is systemd" $BB grep -qx systemd /proc/1/comm
# 1. What the generator wrote.
t "the generator wrote $LP and $LT" test -f "$G/$LP" -a -f "$G/$LT"
t "and $END, after both" $BB grep -q "^After=.*$LP.*$LT" "$G/$END"
t "$LT (shown here)" $BB cat "$G/$LT"
t_not "no load unit for data (the initramfs provisions it)" test -e "$G/fscrypt-provision-load@data.service"
t "the emergency shell extends PCR 15 first (drop-in)" \
    $BB grep -qx 'ExecStartPre=-/usr/sbin/fscrypt-provision tpm2-extend --final' "$G/emergency.service.d/50-fscrypt-provision.conf"
t "the initramfs's log (shown here)" $BB cat /run/fscrypt-provision/initrd.log
t "the initramfs extended PCR 15 once: the running system's phase" \
    $BB grep -q "the initramfs's tpm2 slots do not unseal until the next boot, those of the running system" \
    /run/fscrypt-provision/initrd.log
# 2. At boot: provisioned before local-fs.target, pass by the passphrase,
# tpm by the TPM.
t "$LP is active" is_active "$LP"
t "$LT is active" is_active "$LT"
t "$LP was done before srv.mount" before "$LP" srv.mount
t "$LT was done before srv.mount" before "$LT" srv.mount
t "srv.mount was done before local-fs.target" before srv.mount local-fs.target
t "$LP's log (shown here)" journal "$LP"
t "pass: its passphrase was asked through systemd-ask-password" \
    sh -c "journalctl -b -o cat --no-pager -u $LP | grep -q 'passphrase with systemd-ask-password'"
t "$LT's log (shown here)" journal "$LT"
t "tpm: the TPM unsealed its tpm2 slot" \
    sh -c "journalctl -b -o cat --no-pager -u $LT | grep -q '(tpm2): the TPM unsealed it'"
t_not "tpm: nobody was asked" \
    sh -c "journalctl -b -o cat --no-pager -u $LT | grep -q 'asked for'"
t "/srv/pass is unlocked" key_status /srv/pass present
t "/srv/tpm is unlocked" key_status /srv/tpm present
t "/srv/pass's files are byte-identical" sums_ok /srv/pass "$EXP/pass.sha256"
t "/srv/tpm's files are byte-identical" sums_ok /srv/tpm "$EXP/tpm.sha256"
t "/data/vault (the initramfs's) is unlocked" key_status /data/vault present
# 3. The running system's phase ended after the load units.
t "$END is active" is_active "$END"
t "$END ran after $LT" before "$LT" "$END"
t "$END's log (shown here)" journal "$END"
t "$END extended PCR 15 past the running system's phase" \
    sh -c "journalctl -b -o cat --no-pager -u $END | grep -q 'no tpm2 slot unseals until the next boot'"
t_not "the TPM now refuses the tpm slot (only it in this file: no prompt)" \
    sh -c "$FSP identifier --slots /etc/fsp-test/tpm-only.slots < /dev/null > /run/fsp-late.out 2>&1"
t "it said why: PCR mismatch" $BB grep -q 'PCR mismatch' /run/fsp-late.out
t "(its words, shown here)" $BB cat /run/fsp-late.out
# 4. The load units run again after a soft-reboot: nothing is read or asked
# when the key is in the keyring already (nobody would type: a prompt would
# hang this until the timeout).
t "$LP runs again, as after a soft-reboot" $BB timeout 60 systemctl restart "$LP"
# wait_for: journald may write the new run's lines a moment after it ends.
t "it read nothing: the key is in the kernel (shown here)" wait_for \
    sh -c "journalctl -o cat --no-pager _SYSTEMD_INVOCATION_ID=\$(systemctl show --value -p InvocationID $LP) | grep 'its key source is not read again'"
t "$LT too, with the TPM's phase over" $BB timeout 60 systemctl restart "$LT"
t "it read nothing either (shown here)" wait_for \
    sh -c "journalctl -o cat --no-pager _SYSTEMD_INVOCATION_ID=\$(systemctl show --value -p InvocationID $LT) | grep 'its key source is not read again'"
# 5. A remount: the keys are in root's keyring, the unlock units re-add them.
IP=$(prop "$LP" InvocationID)
IT=$(prop "$LT" InvocationID)
t "systemctl stop srv.mount" systemctl stop srv.mount
t "/srv is unmounted" sh -c "! $BB grep -q ' /srv ' /proc/mounts"
t "systemctl start srv.mount" systemctl start srv.mount
t "/srv/pass is unlocked again" wait_for key_status /srv/pass present
t "/srv/tpm is unlocked again" wait_for key_status /srv/tpm present
t "/srv/pass's files are byte-identical after the remount" sums_ok /srv/pass "$EXP/pass.sha256"
t "/srv/tpm's files are byte-identical after the remount" sums_ok /srv/tpm "$EXP/tpm.sha256"
t "and the load units did not run again (nothing was read or asked)" \
    test "$(prop "$LP" InvocationID) $(prop "$LT" InvocationID)" = "$IP $IT"
t "dump for the canary scan" t_dump
t_finish
