#!/bin/bash
# SPDX-License-Identifier: MIT
# A passphrase typed at the console of an initramfs-tools boot (TEST-76's
# retry case): the image carries slots files and no raw key; root's comes
# from rd.fscrypt.key=root:slots:PATH, a wrong passphrase is refused in one
# line, the second try unlocks, then data's passphrase. The helper asks as
# Debian's cryptsetup does: through plymouth when the image has it
# (initramfs-tools' own plymouth hook adds it where plymouth is installed,
# as tools/packages does here), otherwise on the console; the guest is told
# which to expect.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="initramfs-tools image: slots files, a wrong passphrase then the right one typed at the console (plymouth when in the image)"

test_check() {
    fsp_itools_require_tools || return 1
    command -v python3 > /dev/null || { echo "python3 is missing" && return 1; }
}

test_setup() {
    fsp_assets && fsp_itools_initrd slots-fscrypttab
}

test_run() {
    local r how
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/passphrases.env"
    fsp_answers not-the-passphrase "$ROOT2_PASS" "$DATA_PASS"
    how=terminal
    lsinitramfs "$FSP_INITRD" | grep -q 'bin/plymouth$' && how=plymouth
    msg "the image $([[ $how == plymouth ]] && echo has || echo "has no") plymouth: the guest expects $how"
    fsp_itools_boot fsp.test=slots fsp.slots=retry "fsp.how=$how" rd.fscrypt.key=root:slots:/etc/fsp-test/root2.slots
    fsp_answers
    fsp_slots_verdict initramfs-tools
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../itools.sh
. "$(dirname "${BASH_SOURCE[0]}")/../itools.sh"
fsp_test_main "$@"
