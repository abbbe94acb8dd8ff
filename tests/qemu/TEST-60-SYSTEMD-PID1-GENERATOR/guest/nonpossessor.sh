#!/bin/sh
# SPDX-License-Identifier: MIT
# fsp-nonpossessor.service of TEST-60: proves that this service does not
# possess data's key (SETATTR is a possessor-only right at 0x39090000, so
# setting the key's permissions to their current value fails), then unlocks
# the volume mounted on /mnt/stage by key id. Always exits 0; check.sh reads
# the verdict from /run/fsp-np.log.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
exec > /run/fsp-np.log 2>&1
K=$(cat /run/fsp-np.key)
keyctl show @s
if keyctl setperm "$K" 0x39090000; then
    echo "setperm-worked: this service possesses key $K"
else
    echo "setperm-failed: this service does not possess key $K"
fi
if /usr/sbin/fscrypt-provision unlock --volume data /mnt/stage; then
    echo unlock-ok
else
    echo "unlock-failed $?"
fi
exit 0
