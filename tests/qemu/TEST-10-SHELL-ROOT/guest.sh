# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: root
# Guest checks of fsp.test=root, run by guest/init.sh after switch_root.
# Also booted by TEST-06 (with fsp.absent=), TEST-15 (host-only, shell or
# systemd), TEST-50 (systemd) and TEST-73 (the unpatched minimal kernel).

common_root_checks
if [ "$MODE" = shell ]; then
    t "dracut logged the unlock to the kernel log" \
        in_kmsg "dracut: fscrypt-provision: volume root: key $ROOT_ID added to /sysroot by key_id"
fi
t "dump everything for the host's canary scan" t_dump
