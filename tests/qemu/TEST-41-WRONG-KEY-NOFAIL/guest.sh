# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: wrong-nofail
# Guest checks of fsp.test=wrong-nofail, run by guest/init.sh after
# switch_root. No other test boots it.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
t "/secret stays locked" key_status /secret absent
t "no key was provisioned for root (nothing half-done)" no_key root
t "the other volume (data) was still provisioned" has_key data "$DATA_ID"
t "the log reports the identifier mismatch" \
    in_initrd_log "volume root: .*encrypted with key $ROOT_ID, but the key from .*wrong\.key has identifier $WRONG_ID: wrong key; nothing was provisioned"
t "the initramfs still reported success (nofail)" in_initrd_log "^RESULT ok"
