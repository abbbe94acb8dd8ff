#!/bin/bash
# SPDX-License-Identifier: MIT
# The small helper (make small: musl, static-PIE) at boot. A shell dracut
# initramfs whose helper is build/small/fscrypt-provision opens the slots
# files that the glibc build enrolled (TEST-76's assets): the recovery key
# for root and a passphrase for data, typed at the console; root's /secret
# unlocks across switch_root, and no raw key is in the image or the disks.
TEST_DESCRIPTION="small (musl) helper at boot: slots files made by the glibc build, recovery key and passphrase typed, root unlocked"

test_check() {
    fsp_require_tools || return 1
    [[ -x $SMALL ]] || { echo "$SMALL is missing (make small)" && return 1; }
    command -v python3 > /dev/null || { echo "python3 is missing" && return 1; }
}

test_setup() {
    fsp_assets && FSP_BIN=$SMALL fsp_initrd shell slots-fscrypttab
}

# The image's helper is the small one (by build ID: dracut strips it),
# and it is static: no interpreter.
t11_image_helper() {
    local got want r=0 tmp
    tmp=$(mktemp "$FSP_QEMU_CACHE/helper.XXXXXX")
    lsinitrd -f usr/sbin/fscrypt-provision "$FSP_INITRD" > "$tmp" 2> /dev/null
    got=$(fsp_build_id "$tmp")
    want=$(fsp_build_id "$SMALL")
    if [[ -z $got || $got != "$want" ]]; then
        err "the image's helper (build ID ${got:-none}) is not $SMALL ($want)"
        r=1
    elif readelf -lW "$tmp" | grep -q INTERP; then
        err "the image's helper has an interpreter: not static"
        r=1
    else
        msg "the image's helper is the small build ($(stat -c %s "$tmp") bytes, static-PIE)"
    fi
    rm -f "$tmp"
    return $r
}

test_run() {
    local rk
    t11_image_helper || return 1
    # shellcheck source=/dev/null
    . "$FSP_ASSETS/passphrases.env"
    rk=$(cat "$FSP_ASSETS/recovery.txt")
    fsp_answers "$rk" "$DATA_PASS" || return 1
    fsp_boot shell fsp.test=slots fsp.slots=recovery
    fsp_answers
    fsp_slots_verdict musl
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SMALL=$FSP_REPO/build/small/fscrypt-provision
fsp_test_main "$@"
