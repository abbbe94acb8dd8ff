#!/bin/bash
# SPDX-License-Identifier: MIT
# the same minimal kernel without the test-only patch. verify.sh
# runs the key_id scenarios of the 5.4 backport against upstream's own
# implementation: the key type's payload rules, key_id's errnos (EKEYREJECTED,
# ENOKEY, EKEYEXPIRED, EKEYREVOKED, EACCES), and the helper's add, remount,
# unlock from a fresh session, expiry, revocation and remove.
TEST_DESCRIPTION="unpatched minimal kernel: the key_id path works"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_test_kernel unpatched
}

test_run() {
    fsp_verify_kernel patched
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
