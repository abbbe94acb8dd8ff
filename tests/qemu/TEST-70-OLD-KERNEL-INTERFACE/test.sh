#!/bin/bash
# SPDX-License-Identifier: MIT
# Debian's linux-source (6.1 on Debian 12, 6.12 on 13) built minimal with the test-only patch
# of kernel-patches/test-only, so that it behaves as 5.4/5.5 do. verify.sh
# checks the kernel interface (ENODEV for the key type, EINVAL for key_id)
# and the helper's answers: status reports no key_id, add exits 5 and says
# the key would not survive a remount, add --allow-raw-fallback unlocks with
# the raw key, and after a remount nothing can unlock it.
TEST_DESCRIPTION="test-only minimal kernel (no key_id): kernel interface and the helper's old-kernel behaviour"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_test_kernel test-only
}

test_run() {
    fsp_verify_kernel unpatched
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
