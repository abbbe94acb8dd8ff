#!/bin/bash
# SPDX-License-Identifier: MIT
# A host-only image, as `dracut --hostonly` builds it for a user: dracut
# chooses the modules itself (no -m, no -a fscrypt-provision), so
# 50fscrypt-provision must come in through its check(), because the
# fscrypttab has "initramfs" lines; the same build from a table without them
# must leave it out. The image (systemd or shell, whatever dracut chose on
# this host) then boots the tests' root and passes scenario root's checks.
# Built afresh on every run: a host-only image depends on the host. Without
# --add-drivers (FSP_DRACUT_DRIVERS) it would not boot: host-only mode takes
# the block drivers of the host's own disks, and this host's virtio_blk is
# built into its kernel, so the image lacks virtio_blk and waits for /dev/vda.
# fsp-qemu: alone (tests/qemu/run.sh): a host-only image takes what the
# host has mounted and loaded, and other tests mount loop images.
TEST_DESCRIPTION="host-only initramfs: check() pulls the module in from the fscrypttab; root's directory unlocked across switch_root"

test_check() {
    fsp_require_tools
}

# The fscrypttab without any "initramfs" option: check() must say no.
no_initramfs_table() {
    sed -e 's/\binitramfs,//' -e 's/,initramfs\b//' -e 's/[[:blank:]]initramfs$//' "$1"
}

test_setup() {
    local t0
    fsp_assets || return 1
    FSP_HO=$FSP_QEMU_CACHE/hostonly-$TEST_NAME
    FSP_RUN=$FSP_HO # until fsp_boot: the logs of a failed check are here
    rm -rf "$FSP_HO" && mkdir -p "$FSP_HO" || return 1
    no_initramfs_table "$FSP_ASSETS/fscrypttab" > "$FSP_HO/no-initramfs.tab" || return 1
    if grep -q -w initramfs "$FSP_HO/no-initramfs.tab"; then
        err "could not strip the initramfs options"
        return 1
    fi
    t0=$SECONDS
    # fsp-test (-a: added, never forced) reports a failure from inside the
    # initramfs instead of letting the boot hang.
    fsp_locked fsp_run_dracut_hostonly "$FSP_HO/initrd.img" "$FSP_ASSETS/fscrypttab" \
        -a fsp-test --include "$FSP_ASSETS/initrd-extra" /etc/fsp-test || return 1
    fsp_locked fsp_run_dracut_hostonly "$FSP_HO/control.img" "$FSP_HO/no-initramfs.tab" \
        -a fsp-test --include "$FSP_ASSETS/initrd-extra" /etc/fsp-test || return 1
    msg "built the host-only image and its control in $((SECONDS - t0)) s"
    FSP_INITRD=$FSP_HO/initrd.img
}

test_run() {
    local mods args mode r=0
    args=$(lsinitrd "$FSP_INITRD" 2> /dev/null | grep -m1 '^Arguments:')
    mods=$(fsp_initrd_modules "$FSP_INITRD")
    msg "dracut modules: ${mods//$'\n'/ }"
    if [[ $args != *" --hostonly "* ]] || [[ $args =~ \ (-m|--modules|-a|--add|--force-add)\ .*fscrypt-provision ]]; then
        err "not a plain host-only build: $args"
        r=1
    fi
    # dracut writes this list only in host-only mode.
    if ! lsinitrd "$FSP_INITRD" 2> /dev/null | grep -q ' usr/lib/dracut/hostonly-files$'; then
        err "the image has no hostonly-files: dracut did not stay in host-only mode"
        sed 's/^/#   /' "$FSP_INITRD.log" | grep -i hostonly
        r=1
    fi
    if ! grep -q -x fscrypt-provision <<< "$mods"; then
        err "check() did not pull fscrypt-provision into the host-only image"
        r=1
    fi
    if fsp_initrd_modules "$FSP_HO/control.img" | grep -q -x fscrypt-provision; then
        err "fscrypt-provision is in the host-only image of a table without initramfs entries"
        r=1
    fi
    if grep -q 'Switching to non-hostonly mode' "$FSP_INITRD.log"; then
        msg "note: dracut-install could not list the loaded modules (this kernel: $(uname -r)):" \
            "kernel modules were picked as for a generic image; dracut's modules were picked host-only"
    fi
    if grep -q 'running in hostonly mode in a container' "$FSP_INITRD.log"; then
        msg "note: dracut saw a container ($(systemd-detect-virt -c 2> /dev/null))"
    fi
    ((r == 0)) || return 1
    mode=shell
    grep -q -x systemd <<< "$mods" && mode=systemd
    msg "dracut chose a $mode initramfs"
    fsp_boot "$mode" fsp.test=root
    fsp_expect_pass || return 1
    fsp_scan_canary FSP-PLAINTEXT-CANARY-ROOT
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
