#!/bin/bash
# SPDX-License-Identifier: MIT
# TEST-13 on a 32-bit board: Debian's armmp kernel and busybox-static
# (armhf) under qemu-system-arm -M virt -cpu cortex-a15 (TCG), the armhf
# musl helper; the same /init, the same checks.
FSP_BOARD_ARCH=armhf
# shellcheck source=../TEST-13-ARM64-BUSYBOX-INIT/test.sh
. "$(dirname "${BASH_SOURCE[0]}")/../TEST-13-ARM64-BUSYBOX-INIT/test.sh"
