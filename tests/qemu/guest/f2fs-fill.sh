#!/bin/sh
# SPDX-License-Identifier: MIT
# /sbin/init of the one-off seed root that fills the f2fs data image of
# TEST-25 (fsp_f2fs_assets in tests/qemu/lib.sh). The host's kernel may lack
# f2fs, so the guest's kernel does what fsp_fill_encrypted does on the host:
# mount the f2fs disk (serial fspf2fs; the kernel loads f2fs through
# /sbin/modprobe from the seed's /lib/modules), add data's key with the helper in a
# private keyring, encrypt vault/ with it, copy the host's files in and check
# them against the host's sums, put the sums on the volume (unencrypted, as
# /vault.sha256), remove the key and unmount. Verdict on the marker disk and
# through isa-debug-exit, as for the tests (fsp-test-lib.sh).

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BB=/bin/busybox
# shellcheck source=fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh
t_init
SEED=/seed
RING=fsp-f2fs-fill
t_log "filling the f2fs data image"

DEV=$(t_disk fspf2fs)
ID=$($FSP identifier --key-file "$SEED/data.key")
t "the f2fs disk is there ($DEV)" test -b "$DEV"
t "mount the f2fs image" $BB mount -t f2fs "$DEV" /mnt
t "the kernel loaded f2fs from /lib/modules" $BB grep -q '^f2fs ' /proc/modules
t "add data's key ($ID) with the helper, in a private keyring" \
    $FSP add --keyring "$RING" --quiet --volume data --key-file "$SEED/data.key" --add-to /mnt
t "mkdir vault" $BB mkdir /mnt/vault
t "encrypt vault with data's key" $FSP set-policy /mnt/vault "$ID"
t "copy the host's files into vault" $BB cp -R "$SEED/vault/." /mnt/vault/
t "vault's files match the host's sums" sh -c "cd /mnt/vault && $BB sha256sum -c $SEED/vault.sha256"
t "put the sums on the volume" $BB cp "$SEED/vault.sha256" /mnt/vault.sha256
t "remove the key (lock vault, invalidate the provisioning key)" \
    $FSP remove --keyring "$RING" --volume data /mnt
t "unmount" $BB umount /mnt
t_finish
