# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: oldkernel
# Guest checks of fsp.test=oldkernel, run by guest/init.sh after
# switch_root. No other test boots it.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

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
