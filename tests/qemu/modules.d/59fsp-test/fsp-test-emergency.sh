#!/bin/sh
# SPDX-License-Identifier: MIT
# The initramfs gave up. For fsp.test=wrong-key that is the expected outcome:
# check that the reason was reported and that nothing was provisioned or
# unlocked for the volume whose key was wrong. Any other scenario fails.

BB=/usr/lib/fsp-test/busybox
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck source=../../guest/fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh
# shellcheck source=/dev/null
. /etc/fsp-test/expected.env

SCENARIO=$(t_cmdline_arg fsp.test) || SCENARIO=none
MODE=$(t_cmdline_arg fsp.mode) || MODE=shell
LOG=/run/fscrypt-provision/initrd.log
# Where the initramfs mounted the real root: initramfs-tools' ${rootmnt}.
NEWROOT=/sysroot
[ "$MODE" != initramfs-tools ] || NEWROOT=/root
t_log "emergency in the $MODE initramfs, scenario $SCENARIO"

case $SCENARIO in
    wrong-key)
        if [ "$MODE" = shell ]; then
            t "dracut's die was called" test -e /run/initramfs/.die
            t "die's reason reached the kernel log" \
                sh -c "$BB dmesg | $BB grep -E 'dracut: FATAL: fscrypt-provision: .*key rejected \\(exit 6\\)'"
        elif [ "$MODE" = initramfs-tools ]; then
            # TEST-92: this runs from initramfs-tools' panic.
            t "the boot script's reason reached the kernel log" \
                sh -c "$BB dmesg | $BB grep -E 'fscrypt-provision: FATAL: .*key rejected \\(exit 6\\)'"
        else
            t "fscrypt-provision.service failed" systemctl is-failed -q fscrypt-provision.service
            t "the reason reached the kernel log" \
                sh -c "$BB dmesg | $BB grep -E 'fscrypt-provision: FATAL: .*key rejected \\(exit 6\\)'"
        fi
        t "the reason names both identifiers" $BB grep -E -q \
            "FATAL: .*volume root: .*encrypted with key $ROOT_ID, but the key from .*wrong\\.key has identifier $WRONG_ID: wrong key" "$LOG"
        t "no key was provisioned for root" \
            sh -c "! /usr/sbin/fscrypt-provision list --json | $BB grep -q '\"volume\": \"root\"'"
        t "$NEWROOT/secret is still locked" \
            sh -c "/usr/sbin/fscrypt-provision status --json $NEWROOT/secret | $BB grep -q '\"key_status\": \"absent\"'"
        # no embedded key file is left for the shell.
        t_not "the embedded key file $ROOT_KEY was removed" test -e "$ROOT_KEY"
        t_not "the embedded key file $DATA_KEY was removed" test -e "$DATA_KEY"
        t_not "so was their list" test -e /etc/fscrypt-provision/embedded-keys
        ;;
    slots-emergency)
        # TEST-76: three wrong passphrases for root, which is not nofail.
        if [ "$MODE" = shell ]; then
            t "dracut's die was called" test -e /run/initramfs/.die
        else
            t "fscrypt-provision.service failed" systemctl is-failed -q fscrypt-provision.service
        fi
        t "the reason: the passphrase was not accepted, 3 tries, exit 6" $BB grep -E -q \
            "FATAL: .*key rejected \\(exit 6\\): volume root: unable to read key from slots:.*did not accept the passphrase or recovery key given \\(3 tries\\)" "$LOG"
        t "no key was provisioned for root" \
            sh -c "! /usr/sbin/fscrypt-provision list --json | $BB grep -q '\"volume\": \"root\"'"
        t "$NEWROOT/secret is still locked" \
            sh -c "/usr/sbin/fscrypt-provision status --json $NEWROOT/secret | $BB grep -q '\"key_status\": \"absent\"'"
        t_not "the embedded slots file was removed" test -e "${ROOT_KEY%.key}.slots"
        ;;
    tpm2-break)
        # TEST-84: rd.break=pre-pivot (dracut) or break= (initramfs-tools)
        # opens a shell; this runs where that shell would, after
        # fscrypt-provision's own hook. The attack that PCR 15 ends: unseal a
        # slots file, which is not secret, with the TPM.
        t "PCR 15 was extended before the shell" \
            sh -c "! $BB grep -q -x '0*' /sys/class/tpm/tpm0/pcr-sha256/15"
        t "the TPM refuses the slots file in the shell: PCR mismatch, no key" sh -c "
            /usr/sbin/fscrypt-provision identifier --slots /etc/fsp-test/tpm2/attack.slots \
                --passphrase-fd 3 3< /dev/null < /dev/null > /run/fsp-attack.out 2> /run/fsp-attack.err
            r=\$?; $BB cat /run/fsp-attack.out /run/fsp-attack.err
            [ \$r != 0 ] && ! $BB grep -q . /run/fsp-attack.out &&
                $BB grep -q 'slot 1 (tpm2): PCR mismatch' /run/fsp-attack.err"
        t "no embedded slots file is left for the shell" sh -c "
            for f in \$($BB sed -n 's/^[^#][^ ]* [^ ]* slots:\([^ ]*\) .*/\\1/p' /etc/fscrypttab); do
                [ ! -e \$f ] || { echo \$f is still there; exit 1; }; done"
        ;;
    *)
        t "the boot did not fail" sh -c "$BB cat $LOG; false"
        ;;
esac
t_finish
