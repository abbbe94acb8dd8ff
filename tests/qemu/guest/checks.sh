# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# Shared checks of the real root's scenarios (tests/qemu/TEST-*/guest.sh),
# sourced by guest/init.sh after fsp-test-lib.sh and expected.env; installed
# as /usr/lib/fsp-test/checks.sh. Uses init.sh's MODE and INITRD_LOG.

key_status() { # PATH absent|present
    $FSP status --json "$1" | $BB grep -q "\"key_status\": \"$2\""
}

# The durable keyring holds VOLUME's key with identifier ID, as it should be.
has_key() { # VOLUME ID
    $FSP list --json | $BB grep "\"volume\": \"$1\"" |
        $BB grep "\"identifier\": \"$2\"" | $BB grep '"permissions": "0x39090000"' |
        $BB grep -q '"state": "valid"'
}

no_key() { # VOLUME
    ! $FSP list --json | $BB grep -q "\"volume\": \"$1\""
}

key_id() { # VOLUME
    $FSP list --json | $BB sed -n "s/.*\"key_id\": \([0-9]*\), \"volume\": \"$1\".*/\1/p"
}

sums_ok() { # DIR SUMFILE
    (cd "$1" && $BB sha256sum -c "$2")
}

in_initrd_log() { # ERE
    $BB grep -E -q "$1" "$INITRD_LOG"
}

in_kmsg() { # ERE
    $BB dmesg | $BB grep -E -q "$1"
}

# Runs COMMAND in a new anonymous session keyring, after proving that it
# does not possess KEY there: SETATTR is a possessor-only right (0x39090000),
# so setting the key's permissions to their current value must fail.
as_non_possessor() { # KEY COMMAND...
    _k=$1
    shift
    # shellcheck disable=SC2016 # expanded by the inner shell
    keyctl session - /bin/sh -c '
        if keyctl setperm "$0" 0x39090000 2> /dev/null; then
            echo "this session possesses key $0"
            exit 99
        fi
        keyctl show @s
        exec "$@"' "$_k" "$@"
}

# How the initramfs asked for a secret, in its log's words: the host's
# fsp.how=plymouth|terminal when given (initramfs-tools: whether its image
# has plymouth), else what MODE asks with.
ask_how() {
    case $(t_cmdline_arg fsp.how) in
        plymouth) echo plymouth ;;
        terminal) echo "the terminal" ;;
        *)
            case $MODE in
                shell) echo "the terminal" ;;
                plymouth) echo plymouth ;;
                *) echo systemd-ask-password ;;
            esac
            ;;
    esac
}

common_root_checks() {
    # shellcheck disable=SC2086 # $BB: init.sh's one-word path
    t "the real root is /dev/vda" $BB grep -q '^/dev/vda / ext4' /proc/mounts
    t "the initramfs ran fscrypt-provision in $MODE mode" in_initrd_log "initramfs: $MODE"
    t "the initramfs reported success" in_initrd_log "^RESULT ok"
    t "/secret is unlocked" key_status /secret present
    t "the files in /secret are byte-identical" sums_ok /secret "$EXP/secret.sha256"
    t "the durable keyring holds root's key ($ROOT_ID, 0x39090000)" has_key root "$ROOT_ID"
    t "the durable keyring holds data's key (not mounted yet)" has_key data "$DATA_ID"
    t "keyring fscrypt-provision is linked in root's user keyring" \
        sh -c 'keyctl show @u | grep -E "keyring: fscrypt-provision$"'
    t_not "nobody can read a provisioning key's payload" keyctl read "$(key_id root)"
    t_not "the key file $ROOT_KEY is not in the real root" test -e "$ROOT_KEY"
    # fsp.absent=WORD: a word that only a wrong copy of the module logs
    # (TEST-06's installed older copy).
    if _absent=$(t_cmdline_arg fsp.absent); then
        t_not "the initramfs log has no '$_absent'" in_initrd_log "$_absent"
    fi
    # shellcheck disable=SC2016 # expanded by the inner shell
    t "/run/fscrypt-provision holds the log only" \
        sh -c '[ "$(ls -A /run/fscrypt-provision)" = initrd.log ]'
}
