# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: tpm2-nofail
# Guest checks of TEST-83 (fsp.test=tpm2-nofail), after switch_root: no
# TPM, nothing typed; fsp.nofail-case names where the deadlines came from.
# No other test boots it.
# shellcheck disable=SC2086 # $BB and $FSP: init.sh's one-word paths

CASE=$(t_cmdline_arg fsp.nofail-case) || CASE=none
case $CASE in
    override) ROOT_S=8 DATA_S=8 ;;
    table) ROOT_S=10 DATA_S=90 ;;
    *) t "a known case" false ;;
esac
t_log "the real root reached $($BB cut -d' ' -f1 /proc/uptime) s after boot"
t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
t_not "this boot has no TPM" test -e /sys/class/tpm/tpm0
t "the initramfs reported success" in_initrd_log "^RESULT ok"
t "root's tpm2 slot was refused in one line: no TPM" \
    in_initrd_log "volume root: slot 1 \\(tpm2\\): no TPM: .*trying the next protector"
t "root was skipped at its deadline (${ROOT_S} s), in one line" \
    in_initrd_log "volume root: unable to read key from slots:[^ ]*: it needs a passphrase, and none was given within $ROOT_S s; skipped \\(nofail\\)$"
t "data was skipped at its deadline (${DATA_S} s), in one line" \
    in_initrd_log "volume data: unable to read key from slots:[^ ]*: it needs a passphrase, and none was given within $DATA_S s; skipped \\(nofail\\)$"
t_not "no second line for either skip" in_initrd_log "is nofail: continuing without it"
t "apply counted both as skipped" in_initrd_log "apply: 0 volumes ready, 0 failed, 2 skipped \\(nofail\\)"
t "/secret stays locked" key_status /secret absent
t "no key was provisioned for root" no_key root
t "nor for data" no_key data
t_not "dracut's die was not called" test -e /run/initramfs/.die
if [ "$CASE" = override ]; then
    t "rd.fscrypt.password-timeout= went to apply" \
        in_initrd_log "rd.fscrypt.password-timeout=8: passed to apply as --password-timeout"
fi
