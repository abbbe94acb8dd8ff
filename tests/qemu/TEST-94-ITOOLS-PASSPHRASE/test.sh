#!/bin/bash
# SPDX-License-Identifier: MIT
# A passphrase typed at the console of an initramfs-tools boot (TEST-76's
# retry case): the image carries slots files and no raw key; root's comes
# from rd.fscrypt.key=root:slots:PATH, a wrong passphrase is refused in one
# line, the second try unlocks, then data's passphrase. With no plymouth in
# the image, the helper asks on the console, as Debian's cryptsetup does.
TEST_DESCRIPTION="initramfs-tools image: slots files, a wrong passphrase then the right one typed on the console"

test_check() {
    fsp_itools_require_tools || return 1
    command -v python3 > /dev/null || { echo "python3 is missing" && return 1; }
}

test_setup() {
    fsp_assets && fsp_itools_initrd slots-fscrypttab
}

test_run() {
    local r
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/passphrases.env"
    FSP_ANSWERS=$(mktemp "$FSP_QEMU_CACHE/answers.XXXXXX")
    printf '%s\n' not-the-passphrase "$ROOT2_PASS" "$DATA_PASS" > "$FSP_ANSWERS"
    fsp_itools_boot fsp.test=slots fsp.slots=retry rd.fscrypt.key=root:slots:/etc/fsp-test/root2.slots
    rm -f "$FSP_ANSWERS"
    FSP_ANSWERS=
    fsp_expect_pass && fsp_scan_canary
    r=$?
    grep -a -o 'Argon2id with [^;]*ms' "$FSP_RUN/console.log" | head -n 3 | sed 's/^/#   at boot: /'
    return $r
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
