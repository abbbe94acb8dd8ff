#!/bin/sh
# SPDX-License-Identifier: MIT
# /sbin/init of the QEMU tests' real root (busybox). Runs after switch_root,
# checks what the initramfs left behind for the scenario named by
# fsp.test= on the kernel command line, and reports to the host through the
# marker disk and isa-debug-exit (see fsp-test-lib.sh).

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BB=/bin/busybox
# shellcheck source=fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh
t_init
# ROOT_ID DATA_ID WRONG_ID ROOT_KEY DATA_KEY (written by tests/qemu/lib.sh)
# shellcheck source=/dev/null
. /usr/lib/fsp-test/expected.env

SCENARIO=$(t_cmdline_arg fsp.test) || SCENARIO=none
MODE=$(t_cmdline_arg fsp.mode) || MODE=shell
INITRD_LOG=/run/fscrypt-provision/initrd.log
t_log "scenario $SCENARIO, $MODE initramfs"

key_status() { # PATH absent|present
    $FSP status --json "$1" | $BB grep -q "\"key_status\": \"$2\""
}

# The durable keyring holds VOLUME's key with identifier ID, as it should be.
has_key() { # VOLUME ID
    $FSP list --json | $BB grep "\"volume\": \"$1\"" |
        $BB grep "\"identifier\": \"$2\"" | $BB grep '"permissions": "0x39090000"' |
        $BB grep -q '"state": "valid"'
}

no_key() { # VOLUME
    ! $FSP list --json | $BB grep -q "\"volume\": \"$1\""
}

key_id() { # VOLUME
    $FSP list --json | $BB sed -n "s/.*\"key_id\": \([0-9]*\), \"volume\": \"$1\".*/\1/p"
}

sums_ok() { # DIR SUMFILE
    (cd "$1" && $BB sha256sum -c "$2")
}

in_initrd_log() { # ERE
    $BB grep -E -q "$1" "$INITRD_LOG"
}

in_kmsg() { # ERE
    $BB dmesg | $BB grep -E -q "$1"
}

# Runs COMMAND in a new anonymous session keyring, after proving that it
# does not possess KEY there: SETATTR is a possessor-only right (0x39090000),
# so setting the key's permissions to their current value must fail.
as_non_possessor() { # KEY COMMAND...
    _k=$1
    shift
    # shellcheck disable=SC2016 # expanded by the inner shell
    keyctl session - /bin/sh -c '
        if keyctl setperm "$0" 0x39090000 2> /dev/null; then
            echo "this session possesses key $0"
            exit 99
        fi
        keyctl show @s
        exec "$@"' "$_k" "$@"
}

common_root_checks() {
    t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
    t "the initramfs ran fscrypt-provision in $MODE mode" in_initrd_log "initramfs: $MODE"
    t "the initramfs reported success" in_initrd_log "^RESULT ok"
    t "/secret is unlocked" key_status /secret present
    t "the files in /secret are byte-identical" sums_ok /secret "$EXP/secret.sha256"
    t "the durable keyring holds root's key ($ROOT_ID, 0x39090000)" has_key root "$ROOT_ID"
    t "the durable keyring holds data's key (not mounted yet)" has_key data "$DATA_ID"
    t "keyring fscrypt-provision is linked in root's user keyring" \
        sh -c 'keyctl show @u | grep -E "keyring: fscrypt-provision$"'
    t_not "nobody can read a provisioning key's payload" keyctl read "$(key_id root)"
    t_not "the key file $ROOT_KEY is not in the real root" test -e "$ROOT_KEY"
    # fsp.absent=WORD: a word that only a wrong copy of the module logs
    # (TEST-06's installed older copy).
    if _absent=$(t_cmdline_arg fsp.absent); then
        t_not "the initramfs log has no '$_absent'" in_initrd_log "$_absent"
    fi
    # shellcheck disable=SC2016 # expanded by the inner shell
    t "/run/fscrypt-provision holds the log only" \
        sh -c '[ "$(ls -A /run/fscrypt-provision)" = initrd.log ]'
}

case $SCENARIO in
    root)
        common_root_checks
        if [ "$MODE" = shell ]; then
            t "dracut logged the unlock to the kernel log" \
                in_kmsg "dracut: fscrypt-provision: volume root: key $ROOT_ID added to /sysroot by key_id"
        fi
        t "dump everything for the host's canary scan" t_dump
        ;;
    data)
        DATA_DEV=$(t_disk fspdata)
        K=$(key_id data)
        t "data's key was provisioned by the initramfs" has_key data "$DATA_ID"
        t "control: init's own keyrings possess data's key" keyctl setperm "$K" 0x39090000
        t "mount the data volume" $BB mount -t ext4 "$DATA_DEV" /data
        t "/data/vault is locked before unlock" key_status /data/vault absent
        t "unlock /data from a fresh session keyring that does not possess the key" \
            as_non_possessor "$K" $FSP unlock /data
        t "the files in /data/vault are byte-identical" sums_ok /data/vault "$EXP/vault.sha256"
        t "pre-flight check of /data passes" $FSP check /data
        # Update 1: unmount and mount again.
        t "umount /data" $BB umount /data
        t "mount /data again" $BB mount -t ext4 "$DATA_DEV" /data
        t "/data/vault is locked again (the key went with the superblock)" key_status /data/vault absent
        t "unlock /data again, as a non-possessor" as_non_possessor "$K" $FSP unlock /data
        t "the files are byte-identical after the remount" sums_ok /data/vault "$EXP/vault.sha256"
        # Update 2: mount the new filesystem elsewhere, then move it in place.
        t "umount /data" $BB umount /data
        t "mount the volume on /mnt/stage" $BB mount -t ext4 "$DATA_DEV" /mnt/stage
        t "mount --move /mnt/stage /data" $BB mount --move /mnt/stage /data
        t "/data/vault is locked after the move" key_status /data/vault absent
        t "unlock the moved /data, as a non-possessor" as_non_possessor "$K" $FSP unlock /data
        t "the files are byte-identical after the move" sums_ok /data/vault "$EXP/vault.sha256"
        t "data's key is still in the durable keyring" has_key data "$DATA_ID"
        t "/secret is still unlocked" key_status /secret present
        t "dump everything for the host's canary scan" t_dump
        ;;
    nofail)
        t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
        t "/secret stays locked" key_status /secret absent
        t_not "its plaintext names are not visible" test -e /secret/hello.txt
        t "no key was provisioned for root" no_key root
        t "the other volume (data) was still provisioned" has_key data "$DATA_ID"
        t "the log says why: root's key file is missing" \
            in_initrd_log "error: .*(volume root|of volume root).*missing\.key"
        t "the log says root is nofail and the boot went on" \
            in_initrd_log "volume root is nofail: continuing without it"
        t "the initramfs still reported success" in_initrd_log "^RESULT ok"
        if [ "$MODE" = shell ]; then
            t "the warning reached the kernel log" in_kmsg "dracut Warning: fscrypt-provision: .*missing\.key"
        fi
        t_not "dracut's die was not called" test -e /run/initramfs/.die
        ;;
    wrong-nofail)
        t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
        t "/secret stays locked" key_status /secret absent
        t "no key was provisioned for root (nothing half-done)" no_key root
        t "the other volume (data) was still provisioned" has_key data "$DATA_ID"
        t "the log reports the identifier mismatch" \
            in_initrd_log "volume root: .*encrypted with key $ROOT_ID, but the key from .*wrong\.key has identifier $WRONG_ID: wrong key; nothing was provisioned"
        t "the initramfs still reported success (nofail)" in_initrd_log "^RESULT ok"
        ;;
    disabled)
        t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
        t "/secret stays locked" key_status /secret absent
        t "no key was provisioned" sh -c '! fscrypt-provision list --json | grep -q volume'
        if [ "$MODE" = shell ]; then
            t "the log says rd.fscrypt=0 disabled it" in_initrd_log "disabled by rd.fscrypt=0"
        else
            # ConditionKernelCommandLine=!rd.fscrypt=0 skips the unit.
            t_not "fscrypt-provision.service did not run" test -e "$INITRD_LOG"
        fi
        ;;
    oldkernel)
        # The test-only kernel of kernel-patches/test-only (no key_id, no
        # fscrypt-provisioning key type) with rd.fscrypt.tab=oldkernel.tab:
        # root is raw-fallback, data (nofail) is not.
        t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
        t "the kernel is the minimal test kernel" sh -c 'uname -r | grep -q -- -fsp-test$'
        t "status reports no key_id support" \
            sh -c "$FSP status --json / | grep -q '\"key_id_supported\": false'"
        t "status reports no fscrypt-provisioning key type" \
            sh -c "$FSP status --json / | grep -q '\"provisioning_key_type\": false'"
        t "/secret was unlocked with the raw key (raw-fallback)" key_status /secret present
        t "the files in /secret are byte-identical" sums_ok /secret "$EXP/secret.sha256"
        t "the log warns that root's raw key will not survive an unmount" \
            in_initrd_log "volume root: raw key $ROOT_ID added to /sysroot \(will not survive unmount\)"
        t "the log says key_id is missing and names kernel-patches/" \
            in_initrd_log "cannot add fscrypt keys by key_id .*kernel-patches/.*volume data"
        t "the log says data is nofail and the boot went on" \
            in_initrd_log "volume data is nofail: continuing without it"
        t "the initramfs reported success" in_initrd_log "^RESULT ok"
        t "no provisioning key for root" no_key root
        t "no provisioning key for data (nothing half-provisioned)" no_key data
        DATA_DEV=$(t_disk fspdata)
        t "mount the data volume" $BB mount -t ext4 "$DATA_DEV" /data
        t "/data/vault is locked" key_status /data/vault absent
        # shellcheck disable=SC2016 # expanded by the inner shell
        t "unlock /data fails: nothing is provisioned (exit 7)" \
            sh -c '$0 unlock /data > /dev/null 2>&1; [ $? = 7 ]' "$FSP"
        t "/data/vault is still locked" key_status /data/vault absent
        # Its locked names cannot be read, so tar would fail on them.
        t "umount /data" $BB umount /data
        t "dump everything for the host's canary scan" t_dump
        ;;
    f2fs)
        # TEST-25: the data disk is f2fs (vault/ encrypted with data's key,
        # the host's sums in /vault.sha256, their sha256 in fsp.sums=); this
        # root has f2fs in /lib/modules and kmod as /sbin/modprobe, so the
        # mount loads f2fs as on a Debian system.
        DATA_DEV=$(t_disk fspdata)
        K=$(key_id data)
        SUMS=$(t_cmdline_arg fsp.sums) || SUMS=none
        t "data's key was provisioned by the initramfs" has_key data "$DATA_ID"
        t_not "f2fs is not loaded yet" $BB grep -q -w f2fs /proc/filesystems
        t "mount the f2fs data volume" $BB mount -t f2fs "$DATA_DEV" /data
        t "the kernel loaded f2fs from /lib/modules" $BB grep -q '^f2fs ' /proc/modules
        t "/data is f2fs" $BB grep -q " /data f2fs " /proc/mounts
        t "status: f2fs has the encrypt feature and takes keys by key_id" \
            sh -c "$FSP status --json /data | $BB grep -q '\"encrypt_feature\": true' &&
                $FSP status --json /data | $BB grep -q '\"key_id_supported\": true'"
        t "the sums on the volume are the host's ($SUMS)" \
            sh -c "$BB sha256sum < /data/vault.sha256 | $BB grep -q '^$SUMS '"
        t "/data/vault is locked before unlock" key_status /data/vault absent
        t "unlock /data from a fresh session keyring that does not possess the key" \
            as_non_possessor "$K" $FSP unlock /data
        t "the files in /data/vault are byte-identical" sums_ok /data/vault /data/vault.sha256
        t "pre-flight check of /data passes" $FSP check /data
        t "umount /data" $BB umount /data
        t "mount /data again" $BB mount -t f2fs "$DATA_DEV" /data
        t "/data/vault is locked again (the key went with the superblock)" key_status /data/vault absent
        t "unlock /data again, as a non-possessor" as_non_possessor "$K" $FSP unlock /data
        t "the files are byte-identical after the remount" sums_ok /data/vault /data/vault.sha256
        t "data's key is still in the durable keyring" has_key data "$DATA_ID"
        t "dump everything for the host's canary scan" t_dump
        ;;
    keyarg-add)
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
        ;;
    early-exit)
        # TEST-07: an init that stops before its verdict still gives one.
        t "a check before the early exit" true
        exit 3
        ;;
    *)
        t "known scenario" false
        ;;
esac
t_finish
