# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: data
# Guest checks of fsp.test=data, run by guest/init.sh after switch_root.
# No other test boots it.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

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
