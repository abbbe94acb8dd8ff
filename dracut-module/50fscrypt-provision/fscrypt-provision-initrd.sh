#!/bin/sh
# SPDX-License-Identifier: MIT
# ExecStart of fscrypt-provision.service (systemd initramfs): provision the
# fscrypttab's keys and unlock the encrypted directories of /sysroot. A
# failure of a volume without nofail makes the unit fail, and its OnFailure=
# starts emergency.target with the reason in the journal and on the console.

export DRACUT_SYSTEMD=1
export NEWROOT="${NEWROOT:-/sysroot}"
# shellcheck source=/dev/null # dracut's, installed by the base module
type getarg > /dev/null 2>&1 || . /lib/dracut-lib.sh
# shellcheck source=../../initramfs/fscrypt-provision-lib.sh
. /usr/lib/fscrypt-provision/fscrypt-provision-lib.sh

if ! fsp_apply; then
    fsp_log "FATAL: $FSP_REASON"
    echo "<27>fscrypt-provision: FATAL: $FSP_REASON" > /dev/kmsg 2> /dev/null
    echo "fscrypt-provision: FATAL: $FSP_REASON" >&2
    exit 1
fi
exit 0
