# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: nofail
# Guest checks of fsp.test=nofail, run by guest/init.sh after switch_root.
# No other test boots it.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

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
