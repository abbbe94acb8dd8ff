# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: disabled
# Guest checks of fsp.test=disabled, run by guest/init.sh after switch_root.
# Also booted by TEST-93 (initramfs-tools).
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
t "/secret stays locked" key_status /secret absent
t "no key was provisioned" sh -c '! fscrypt-provision list --json | grep -q volume'
if [ "$MODE" = shell ] || [ "$MODE" = initramfs-tools ]; then
    t "the log says rd.fscrypt=0 disabled it" in_initrd_log "disabled by rd.fscrypt=0"
else
    # ConditionKernelCommandLine=!rd.fscrypt=0 skips the unit.
    t_not "fscrypt-provision.service did not run" test -e "$INITRD_LOG"
fi
