# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: slots
# Guest checks of TEST-76 (fsp.test=slots), after switch_root; fsp.slots
# says which case the host typed for.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

CASE=$(t_cmdline_arg fsp.slots) || CASE=none
HOW=$(ask_how)
t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
t "the boot asked with $HOW" in_initrd_log "asked for volume root's passphrase with $HOW"
t "the log gives the Argon2id cost and time" \
    in_initrd_log "slot [0-9]+ \\(passphrase\\): Argon2id with 32 MiB and 1 pass took [0-9]+ ms"
t "data's passphrase was typed and its key provisioned" has_key data "$DATA_ID"
case $CASE in
    retry)
        t "rd.fscrypt.key=root:slots:PATH was used" \
            in_initrd_log "rd.fscrypt.key=root:slots:/etc/fsp-test/root2.slots"
        t "the wrong passphrase was refused and said so" \
            in_initrd_log "wrong passphrase or recovery key for volume root \\(try 1 of 3\\)"
        t "the second try unlocked root's /secret" key_status /secret present
        t "root's key is provisioned" has_key root "$ROOT_ID"
        t "/secret reads back, byte-identical" sums_ok /secret /usr/lib/fsp-test/secret.sha256
        ;;
    retry-plymouth)
        t "the wrong passphrase was refused and said so" \
            in_initrd_log "wrong passphrase or recovery key for volume root \\(try 1 of 3\\)"
        t "the second try unlocked root's /secret" key_status /secret present
        ;;
    recovery)
        t "the recovery key, typed at the same prompt, unlocked /secret" key_status /secret present
        t "root's key is provisioned" has_key root "$ROOT_ID"
        t_not "no wrong try was logged" in_initrd_log "wrong passphrase"
        ;;
    nofail)
        t "three wrong tries were logged" in_initrd_log "\\(try 3 of 3\\)"
        t "root failed with the reason" \
            in_initrd_log "volume root: unable to read key from slots:.*root\\.slots: it did not accept the passphrase or recovery key given \\(3 tries\\)"
        t "/secret stays locked" key_status /secret absent
        t "nothing was provisioned for root" no_key root
        t "the initramfs went on (nofail)" in_initrd_log "^RESULT ok"
        ;;
    *)
        t "a known case" false
        ;;
esac
