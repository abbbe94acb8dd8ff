#!/bin/bash
# SPDX-License-Identifier: MIT
# UBIFS, as raw NAND boards have it: TEST-13's board on amd64 (Debian's
# amd64 kernel, fetched and unpacked like the ARM ones, has nandsim, ubi and
# ubifs as modules; its arm64 kernel has no nandsim), with /data UBIFS on
# a simulated NAND made at each boot. fsp_boot provisions the key and adds
# it to /data by key id, the /init puts a v2 policy on the vault and copies
# the files in; after switch_root: UBIFS's mountinfo line (ubi0:data), the
# helper's status, a policy flag UBIFS refuses, then the update's remount
# unlocked by key id, byte-identical; canary scan.
FSP_BOARD_ARCH=amd64
FSP_BOARD_UBIFS=1
# shellcheck source=../TEST-13-ARM64-BUSYBOX-INIT/test.sh
. "$(dirname "${BASH_SOURCE[0]}")/../TEST-13-ARM64-BUSYBOX-INIT/test.sh"
