# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: tpm2
# Guest checks of TEST-80 and TEST-81 (fsp.test=tpm2), after switch_root;
# fsp.tpm2 names the case.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

CASE=$(t_cmdline_arg fsp.tpm2) || CASE=none
for _p in 7 11 15; do
    t_log "PCR $_p (sha256) after the initramfs: $($BB cat /sys/class/tpm/tpm0/pcr-sha256/$_p 2>&1)"
done
t_log "$($BB dmesg | $BB grep 'fsp-test: ')"
t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
t "the initramfs reported success" in_initrd_log "^RESULT ok"
t "root's /secret is unlocked" key_status /secret present
t "/secret reads back, byte-identical" sums_ok /secret /usr/lib/fsp-test/secret.sha256
t "root's key is provisioned" has_key root "$ROOT_ID"
t "data's key is provisioned" has_key data "$DATA_ID"
t_not "nobody can read a provisioning key's payload" keyctl read "$(key_id root)"
# the initramfs extended PCR 15 when it was done; its tpm2 slots
# unseal no more on this boot (those for the running system would now).
t "the initramfs extended PCR 15 when it was done" in_initrd_log "^extended PCR 15: the initramfs's tpm2 slots do not unseal until the next boot"
t "PCR 15 is no longer at its boot value" sh -c "! $BB grep -q -x '0*' /sys/class/tpm/tpm0/pcr-sha256/15"
case $CASE in
    sealed | image-a | image-b)
        t "the TPM unsealed root's key, and the log gives the time" \
            in_initrd_log "volume root: slot [0-9]+ \\(tpm2\\): the TPM unsealed it in [0-9]+ ms"
        t_not "nobody was asked for a passphrase" in_initrd_log "asked for volume"
        t_not "no TPM slot was refused" in_initrd_log "\\(tpm2\\): .*trying the next protector"
        ;;
    stale-signature)
        t "the TPM refused root's key: no signature for this boot, in one line" \
            in_initrd_log "volume root: slot 1 \\(tpm2\\): no signature for this boot"
        t "then root's passphrase was asked for" in_initrd_log "asked for volume root's passphrase"
        t "data still came through its PCR 7 slot" in_initrd_log "volume data: slot 1 \\(tpm2\\): the TPM unsealed it"
        t "the initramfs measured image b into PCR 11" in_kmsg "measured image 'image b:"
        ;;
    pcr-changed)
        t "the TPM refused root's key: PCR mismatch, in one line" \
            in_initrd_log "slot [0-9]+ \\(tpm2\\): PCR mismatch: this boot's measurements differ"
        t "then the passphrase was asked for" in_initrd_log "asked for volume root's passphrase"
        t_not "the TPM unsealed nothing" in_initrd_log "the TPM unsealed it"
        ;;
    pin | pin-retry)
        if [ "$CASE" = pin-retry ]; then
            t "a wrong PIN was refused by the TPM, in one line" \
                in_initrd_log "volume root: slot 1 \\(tpm2\\+pin\\): wrong PIN \\(try 1 of 3\\)"
        else
            t_not "no PIN was refused" in_initrd_log "wrong PIN \\(try"
        fi
        t "root's TPM2 PIN was asked for on the console" in_initrd_log "asked for volume root's TPM2 PIN"
        t "the TPM took the PIN and unsealed root's key" \
            in_initrd_log "volume root: slot 1 \\(tpm2\\+pin\\): the TPM took the PIN in [0-9]+ ms"
        t_not "no passphrase was asked for" in_initrd_log "asked for volume root's passphrase"
        t "data came through its PCR 7 slot, with no prompt" \
            in_initrd_log "volume data: slot 1 \\(tpm2\\): the TPM unsealed it"
        ;;
    *)
        t "a known case" false
        ;;
esac
case $CASE in
    image-a | image-b)
        t "root's key came through the signed policy" \
            in_initrd_log "volume root: slot 1 \\(tpm2\\): the TPM unsealed it"
        t "the initramfs measured image ${CASE#image-} into PCR 11" in_kmsg "measured image 'image ${CASE#image-}:"
        ;;
esac
