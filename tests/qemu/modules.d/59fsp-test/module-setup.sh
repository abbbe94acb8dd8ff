#!/bin/bash
# SPDX-License-Identifier: MIT
# Test-only dracut module for tests/qemu: when the initramfs gives up (die,
# or emergency.target in a systemd initramfs), check what fscrypt-provision
# left behind and report the verdict to the host like the real root's init
# does. Never for real images: check() returns 255, so only -m includes it.
# shellcheck disable=SC2154 # moddir, initdir, systemdsystemunitdir, SYSTEMCTL: set by dracut

# called by dracut
check() {
    return 255
}

# called by dracut
depends() {
    echo base
    return 0
}

# called by dracut
install() {
    inst_simple /bin/busybox /usr/lib/fsp-test/busybox
    # FSP_TEST_GUEST_DIR: tests/qemu/guest, set by tests/qemu/lib.sh
    inst_simple "${FSP_TEST_GUEST_DIR:?}/fsp-test-lib.sh" /usr/lib/fsp-test/lib.sh
    inst_script "$moddir/fsp-test-emergency.sh" /usr/lib/fsp-test/emergency
    # rd.shell=0 (the tests' default) runs shutdown-emergency, otherwise
    # emergency; both in the shell and in the systemd initramfs.
    inst_hook emergency 00 "$moddir/fsp-test-emergency-hook.sh"
    inst_hook shutdown-emergency 00 "$moddir/fsp-test-emergency-hook.sh"
    # FSP_TEST_TPM2=1 (TEST-8*-TPM2): the measurements a boot stub makes.
    if [[ ${FSP_TEST_TPM2-} == 1 ]]; then
        # A missing tool must fail the build, not every boot later.
        inst_multiple tpm2_pcrextend || {
            dfatal "fsp-test: tpm2_pcrextend is missing (tpm2-tools)"
            exit 1
        }
        inst_libdir_file "libtss2-tcti-device.so*"
        inst_script "$moddir/fsp-test-measure.sh" /usr/lib/fsp-test/measure
        if dracut_module_included "systemd"; then
            inst_simple "$moddir/fsp-test-measure.service" \
                "$systemdsystemunitdir/fsp-test-measure.service"
            $SYSTEMCTL -q --root "$initdir" add-wants initrd.target fsp-test-measure.service
        else
            inst_hook pre-pivot 50 "$moddir/fsp-test-measure-hook.sh"
        fi
    fi
}
