# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: keyarg-add
# Guest checks of fsp.test=keyarg-add, run by guest/init.sh after
# switch_root. No other test boots it; TEST-46 boots it in shell and in
# systemd mode.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

# rd.fscrypt.key=extra:/etc/fsp-test/wrong.key names a volume the
# initramfs table lacks: apply --key adds it as a provision-only
# entry (mountpoint none), and it is unlocked here with unlock
# --volume.
t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
t "the initramfs ran fscrypt-provision in $MODE mode" in_initrd_log "initramfs: $MODE"
t "the initramfs reported success" in_initrd_log "^RESULT ok"
t "the log says rd.fscrypt.key= went to apply as --key" \
    in_initrd_log "^rd.fscrypt.key=extra:/etc/fsp-test/wrong.key: passed to apply as --key"
t "the log says extra was added from --key" \
    in_initrd_log "^volume extra: added from --key \(no volume extra in /etc/fscrypttab\) with key source /etc/fsp-test/wrong.key, provision only"
t "the helper provisioned extra only" \
    in_initrd_log "volume extra: provisioned only \(added by --key\), added to no filesystem"
t_not "no rewritten table is left in /run" test -e /run/fscrypt-provision/fscrypttab
t "the durable keyring holds extra's key ($WRONG_ID, 0x39090000)" has_key extra "$WRONG_ID"
t "root was still provisioned and unlocked" has_key root "$ROOT_ID"
t "/secret is unlocked" key_status /secret present
t "the files in /secret are byte-identical" sums_ok /secret "$EXP/secret.sha256"
t "data was still provisioned" has_key data "$DATA_ID"
t_not "the key file is not in the real root" test -e /etc/fsp-test/wrong.key
if [ "$MODE" = shell ]; then
    t "the addition reached the kernel log" \
        in_kmsg "dracut: fscrypt-provision: volume extra: added from --key"
fi
# set-policy refuses a key that is not on the filesystem: so the
# initramfs added extra's key to no filesystem, root included.
t "remount / read-write (snapshot disk)" $BB mount -o remount,rw /
t "mkdir /extra-probe" $BB mkdir /extra-probe
# shellcheck disable=SC2016 # expanded by the inner shell
t "extra's key is not on the root filesystem" \
    sh -c '$0 set-policy /extra-probe "$1" 2>&1; [ $? = 7 ]' "$FSP" "$WRONG_ID"
DATA_DEV=$(t_disk fspdata)
K=$(key_id extra)
t "mount the data volume" $BB mount -t ext4 "$DATA_DEV" /data
t "mkdir /data/extra" $BB mkdir /data/extra
# shellcheck disable=SC2016 # expanded by the inner shell
t "extra's key is not on /data yet" \
    sh -c '$0 set-policy /data/extra "$1" 2>&1; [ $? = 7 ]' "$FSP" "$WRONG_ID"
t "unlock --volume extra /data, as a non-possessor" \
    as_non_possessor "$K" $FSP unlock --volume extra /data
t "encrypt /data/extra with extra's key" $FSP set-policy /data/extra "$WRONG_ID"
t "write a file into /data/extra" sh -c 'echo extra-volume > /data/extra/x.txt'
t "umount /data" $BB umount /data
t "mount /data again" $BB mount -t ext4 "$DATA_DEV" /data
t "/data/extra is locked after the remount" key_status /data/extra absent
# shellcheck disable=SC2016 # expanded by the inner shell
t "unlock /data by path unlocks data only, never the provision-only extra" \
    sh -c 'out=$($0 unlock /data 2>&1); r=$?; echo "$out"; [ $r = 0 ] && ! echo "$out" | grep -q "volume extra"' "$FSP"
t "/data/extra is still locked" key_status /data/extra absent
t "unlock --volume extra /data again" as_non_possessor "$K" $FSP unlock --volume extra /data
# shellcheck disable=SC2016 # expanded by the inner shell
t "/data/extra is readable" sh -c '[ "$(cat /data/extra/x.txt)" = extra-volume ]'
