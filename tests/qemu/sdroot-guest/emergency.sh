#!/bin/sh
# SPDX-License-Identifier: MIT
# emergency.service of the systemd roots (sdroot.sh): a failed boot
# reports failure at once.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BB=/bin/busybox
# shellcheck source=../guest/fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh
t "the boot did not reach emergency.target" false
systemctl --no-pager --failed >> "$FSP_T_LOG" 2>&1
t_finish
