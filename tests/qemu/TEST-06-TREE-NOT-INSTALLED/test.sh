#!/bin/bash
# SPDX-License-Identifier: MIT
# The tests test the tree, not what is installed. An older copy of the
# project is installed with `make install` into the host's /usr (its dracut
# module logs a word of its own and embeds a marker file; its helper has
# another version), then an initramfs is built the way every test builds
# one, without the cache, and booted. The image must hold the tree's helper
# and the tree's module files byte for byte, none of the older copy, and
# the boot must pass scenario 1 without the older copy's word in its log.
# Whatever was installed before is put back afterwards.
# fsp-qemu: alone (tests/qemu/run.sh): it installs into the host's /usr,
# which the image builds of other tests must not see.
TEST_DESCRIPTION="after make install of an older copy, the tests build and boot the tree's module and helper"

OLD_WORD=fsp-older-installed-copy-ran
# What `make install` writes under PREFIX=/usr (see the Makefile).
INSTALLED=(usr/sbin/fscrypt-provision usr/sbin/fscrypt-provision-update
    usr/share/man/man8/fscrypt-provision.8 usr/share/man/man5/fscrypttab.5
    usr/share/man/man5/fscrypt-slots.5 usr/share/man/man8/fscrypt-provision-update.8
    usr/share/initramfs-tools/hooks/fscrypt-provision
    usr/share/initramfs-tools/scripts/local-bottom/fscrypt-provision
    usr/lib/fscrypt-provision usr/share/doc/fscrypt-provision
    usr/lib/systemd/system-generators/fscrypt-provision-generator
    usr/lib/dracut/modules.d/50fscrypt-provision
    usr/share/bash-completion/completions/fscrypt-provision
    usr/share/initramfs-tools/scripts/panic/fscrypt-provision)
W=""

test_check() {
    fsp_require_tools
}

# Saves what is installed now, to put it back.
t06_save() {
    local p have=()
    for p in "${INSTALLED[@]}"; do
        [[ -e /$p || -L /$p ]] && have+=("$p")
    done
    printf '%s\n' "${have[@]}" > "$W/had"
    ((${#have[@]} == 0)) || tar -C / -cf "$W/had.tar" "${have[@]}"
}

t06_restore() {
    local p
    [[ $W && -f $W/had ]] || return 0
    for p in "${INSTALLED[@]}"; do rm -rf "/${p:?}"; done
    [[ -s $W/had.tar ]] && tar -C / -xf "$W/had.tar"
    rm -f "$W/had"
}

# The older copy: the tree's sources with a module that logs OLD_WORD and
# embeds /etc/fsp-older-copy, built with another version string.
t06_install_older() {
    local o=$W/older m=$W/older/dracut-module/50fscrypt-provision
    mkdir -p "$o" || return 1
    # What make install reads: the Makefile, tools/install.list and the
    # files it names.
    cp -r "$FSP_REPO/Makefile" "$FSP_REPO/src" "$FSP_REPO/man" "$FSP_REPO/hooks" \
        "$FSP_REPO/dracut-module" "$FSP_REPO/initramfs" "$FSP_REPO/initramfs-tools" \
        "$FSP_REPO/tools" "$FSP_REPO/docs" "$FSP_REPO/README.md" \
        "$FSP_REPO/shell-completion" "$o/" || return 1
    printf '\nfsp_log %s\n' "$OLD_WORD" >> "$o/initramfs/fscrypt-provision-lib.sh" || return 1
    sed -i 's/^install() {/_older_install() {/' "$m/module-setup.sh" || return 1
    # shellcheck disable=SC2016 # expanded by dracut
    printf '\ninstall() { _older_install; echo older > "$initdir/etc/fsp-older-copy"; }\n' \
        >> "$m/module-setup.sh" || return 1
    if ! make -s -C "$o" install VERSION=0.0.1-older PREFIX=/usr DESTDIR= > "$W/install.log" 2>&1; then
        err "installing the older copy failed:"
        sed 's/^/#   /' "$W/install.log" | tail -n 20
        return 1
    fi
    if ! /usr/sbin/fscrypt-provision --version | grep -q 0.0.1-older; then
        err "the older copy's helper is not the one installed"
        return 1
    fi
}

test_setup() {
    fsp_assets || return 1
    W=$(mktemp -d "$FSP_QEMU_CACHE/tree-test.XXXXXX") || return 1
    t06_save || return 1
    trap t06_restore EXIT
    t06_install_older || return 1
    # Not cached: a cached image would prove nothing about this build.
    FSP_INITRD=$W/initrd.img
    fsp_build_initrd shell "$FSP_INITRD"
}

same_in_image() { # PATH-IN-IMAGE FILE
    cmp <(lsinitrd -f "$1" "$FSP_INITRD" 2> /dev/null) "$2"
}

same_helper() {
    local img want
    lsinitrd -f usr/sbin/fscrypt-provision "$FSP_INITRD" > "$W/image-helper" 2> /dev/null
    img=$(fsp_build_id "$W/image-helper")
    want=$(fsp_build_id "$FSP_BIN")
    echo "image: ${img:-none}, tree: ${want:-none}, installed: $(fsp_build_id /usr/sbin/fscrypt-provision)"
    [[ $want && $img == "$want" ]]
}

test_run() {
    local f l hooks
    FAILS=0
    l=$(lsinitrd "$FSP_INITRD" 2> /dev/null)
    c "the image's helper is the tree's build/fscrypt-provision" same_helper
    c "the image's boot steps are the tree's" same_in_image usr/lib/fscrypt-provision/fscrypt-provision-lib.sh \
        "$FSP_REPO/initramfs/fscrypt-provision-lib.sh"
    # dracut-ng 102 moved the hooks to /var/lib/dracut/hooks; 059 has them
    # in /usr/lib/dracut/hooks.
    hooks=usr/lib/dracut/hooks
    grep -q ' var/lib/dracut/hooks/pre-pivot/' <<< "$l" && hooks=var/lib/dracut/hooks
    for f in "$FSP_REPO"/dracut-module/50fscrypt-provision/*pre-pivot.sh; do
        c "the image's pre-pivot hook is the tree's ${f##*/}" \
            same_in_image "$hooks/pre-pivot/60-${f##*/}" "$f"
    done
    c "the older copy's marker file is not in the image" bash -c "! grep -q 'etc/fsp-older-copy' <<< \"\$0\"" "$l"
    c "the older copy is still installed (the build did not remove it)" \
        grep -q "$OLD_WORD" /usr/lib/fscrypt-provision/fscrypt-provision-lib.sh
    t06_restore
    c "what was installed before is back" bash -c '[[ ! -e /usr/sbin/fscrypt-provision ]] ||
        ! /usr/sbin/fscrypt-provision --version | grep -q 0.0.1-older'

    fsp_boot shell fsp.test=root "fsp.absent=$OLD_WORD"
    fsp_expect_pass || FAILS=$((FAILS + 1))
    ((FAILS == 0)) && rm -rf "$W"
    ((FAILS == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
