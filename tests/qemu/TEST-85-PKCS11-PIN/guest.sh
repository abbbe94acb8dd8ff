# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: pkcs11
# Guest checks of TEST-85 (fsp.test=pkcs11), after switch_root; fsp.pkcs11
# names the case: pin (the right PIN for each volume) or pin-retry (a wrong
# one first).
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

CASE=$(t_cmdline_arg fsp.pkcs11) || CASE=none
DATA_DEV=$(t_disk fspdata)
HOW=$(ask_how)
t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
t "the initramfs reported success" in_initrd_log "^RESULT ok"
t "root's /secret is unlocked" key_status /secret present
t "/secret reads back, byte-identical" sums_ok /secret "$EXP/secret.sha256"
t "root's key is provisioned" has_key root "$ROOT_ID"
t "data's key is provisioned" has_key data "$DATA_ID"
t_not "nobody can read a provisioning key's payload" keyctl read "$(key_id root)"
case $CASE in
    pin-retry)
        t "a wrong PIN was refused by the token, in one line" \
            in_initrd_log "volume root: slot [0-9]+ \\(pkcs11\\): wrong PIN for token fsp-boot \\(try 1 of [0-9]+\\)"
        t "the token's count-low flag was logged before the next try" \
            in_initrd_log "volume root: slot [0-9]+ \\(pkcs11\\): token fsp-boot says its user PIN count is low"
        ;;
    pin)
        t_not "no PIN was refused" in_initrd_log "wrong PIN for token"
        ;;
    *)
        t "a known case" false
        ;;
esac
t "root's token PIN was asked for" in_initrd_log "asked for volume root's PIN of token fsp-boot with $HOW"
t "the token gave root's secret (RSA-OAEP)" \
    in_initrd_log "volume root: slot [0-9]+ \\(pkcs11\\): the token gave its secret in [0-9]+ ms"
t "data's token PIN was asked for" in_initrd_log "asked for volume data's PIN of token fsp-boot with $HOW"
t "the token gave data's secret (ECDH)" \
    in_initrd_log "volume data: slot [0-9]+ \\(pkcs11\\): the token gave its secret in [0-9]+ ms"
t_not "no passphrase was asked for" in_initrd_log "asked for volume [a-z]+'s passphrase"
t "mount the data volume" $BB mount -t ext4 "$DATA_DEV" /data
t "unlock /data with the key the token gave, as a non-possessor" \
    as_non_possessor "$(key_id data)" $FSP unlock /data
t "/data/vault reads back, byte-identical" sums_ok /data/vault "$EXP/vault.sha256"
# plymouthd, where the image has it, outlives the initramfs and keeps what
# was typed in its heap until it quits. The real system's
# plymouth-quit.service ends it at the end of a boot; this root has no
# plymouth client, and plymouthd ignores SIGTERM, so it is killed. The
# host's scan for the PIN then covers what stays after a boot.
t_plymouth_quit() {
    _pid=$($BB pidof plymouthd) || return 0
    $BB kill -KILL $_pid || return 1
    # It may stay a zombie (this init reaps no orphans), but its memory
    # goes: its maps are empty then.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        if ! { read -r _first < "/proc/$_pid/maps"; } 2> /dev/null; then
            t_log "killed plymouthd ($_pid)"
            return 0
        fi
        $BB sleep 0.5
    done
    return 1
}
t "plymouthd, if it runs, quits as at the end of a boot" t_plymouth_quit
t "dump everything for the host's canary scan" t_dump
