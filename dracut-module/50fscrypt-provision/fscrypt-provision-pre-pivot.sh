#!/bin/sh
# SPDX-License-Identifier: MIT
# pre-pivot hook (shell initramfs): provision the fscrypttab's keys and unlock
# the encrypted directories of $NEWROOT before switch_root. Sourced by
# dracut's init, so it returns and never exits.

# shellcheck source=/dev/null # dracut's, installed by the base module
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh
# shellcheck source=../../initramfs/fscrypt-provision-lib.sh
. /usr/lib/fscrypt-provision/fscrypt-provision-lib.sh

if ! fsp_apply; then
    fsp_log "FATAL: $FSP_REASON"
    die "fscrypt-provision: $FSP_REASON"
fi
return 0
