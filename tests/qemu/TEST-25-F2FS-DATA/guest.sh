# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: f2fs
# Guest checks of fsp.test=f2fs, run by guest/init.sh after switch_root.
# No other test boots it.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

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
