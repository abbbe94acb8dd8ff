#!/bin/bash
# SPDX-License-Identifier: MIT
# make demo: the whole story in one QEMU boot, narrated.
#
# Real parts only, the same as tests/qemu (see README.md there): Debian's
# kernel, an initramfs built by Debian's dracut with
# dracut-module/50fscrypt-provision, the static helper, a busybox real root
# with an encrypted /secret and a data disk with an encrypted vault/. The
# root image is the tests' one with a narrating /sbin/init (written below)
# instead of the test init; it prints "DEMO:" lines on the console, which
# this script relays as a story while the guest runs:
#   1. the keys were loaded in the initramfs (its log, `fscrypt-provision list`)
#   2. switch_root
#   3. the encrypted files are readable
#   4. an update unmounts and remounts the data volume: locked again
#   5. re-provision by key id (`fscrypt-provision unlock`) from a fresh
#      session keyring that does not possess the key
#   6. readable again, and no raw key anywhere in the guest (canary scan)
# The verdict does NOT come from the console text: it comes from
# isa-debug-exit (QEMU's exit code) and the check log on the marker disk,
# plus the host's canary scan of everything the guest dumped.
#
#   sudo tests/qemu/demo.sh     (or: sudo make demo)
# Exit codes: 0 PASS, 1 FAIL, 2 cannot run (missing package, not root).
# Settings: see lib.sh (FSP_QEMU_CACHE, FSP_QEMU_TIMEOUT, FSP_KVER, ...);
# FSP_DEMO_RAW=1 also prints the raw console log at the end.
set -u

# The packages come from the project's one list (tools/packages): as root
# this installs what is missing; as anyone else it prints the command. It
# runs before lib.sh, which looks for the kernel that it may install.
"$(dirname "${BASH_SOURCE[0]}")/../../tools/install-deps.sh" demo || exit 2
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEST_NAME=DEMO
export TEST_NAME
T0=$SECONDS

if [[ -t 1 ]]; then
    B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' D=$'\e[2m' N=$'\e[0m'
else
    B='' G='' R='' D='' N=''
fi
host() { printf '%s[host]%s %s\n' "$D" "$N" "$*"; }
die2() {
    echo "demo: $*" >&2
    exit 2
}

# --- what is needed --------------------------------------------------------

check_needs() {
    [[ $(id -u) == 0 ]] || die2 "run as root (loop mounts, keyrings): sudo $0  (or: sudo make demo)"
}

# --- the narrating init of the demo root ----------------------------------

# /sbin/init of the demo root: busybox sh, after switch_root. Checks go
# through fsp-test-lib.sh's t (logged to the marker disk, which gives the
# verdict); DEMO: lines are only the story.
# shellcheck disable=SC2016 # guest code, expanded in the guest
DEMO_INIT='#!/bin/sh
# /sbin/init of the demo root, written by tests/qemu/demo.sh.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BB=/bin/busybox
T_INIT=$($BB cut -d" " -f1 /proc/uptime)
. /usr/lib/fsp-test/lib.sh
t_init
. /usr/lib/fsp-test/expected.env
INITRD_LOG=/run/fscrypt-provision/initrd.log

step() { echo "DEMO:STEP $*"; }
say() { echo "DEMO:SAY $*"; }
show() { # DISPLAY COMMAND...: shows the command and its output
    _d=$1
    shift
    echo "DEMO:CMD $_d"
    "$@" 2>&1 | $BB sed "s/^/DEMO:OUT /"
}
key_status() { $FSP status --json "$1" | $BB grep -q "\"key_status\": \"$2\""; }
has_key() {
    $FSP list --json | $BB grep "\"volume\": \"$1\"" |
        $BB grep "\"identifier\": \"$2\"" | $BB grep "\"permissions\": \"0x39090000\"" |
        $BB grep -q "\"state\": \"valid\""
}
key_id() { $FSP list --json | $BB sed -n "s/.*\"key_id\": \([0-9]*\), \"volume\": \"$1\".*/\1/p"; }
sums_ok() { (cd "$1" && $BB sha256sum -c "$2"); }
# Runs COMMAND in a new session keyring after proving it does not possess
# KEY there (SETATTR is possessor-only with 0x39090000).
as_non_possessor() { # KEY COMMAND...
    _k=$1
    shift
    keyctl session - /bin/sh -c "
        if keyctl setperm \"\$0\" 0x39090000 2> /dev/null; then
            echo \"this session possesses key \$0\"; exit 99
        fi
        echo \"keyctl setperm \$0: Permission denied: this session does not possess the key\"
        exec \"\$@\"" "$_k" "$@"
}

step "1/6 The initramfs loaded the keys"
say "dracut ran the module 50fscrypt-provision before switch_root: it read the"
say "fscrypttab embedded in the initramfs, checked each key file against the"
say "volume, and loaded the keys as fscrypt-provisioning keys (usable by the"
say "kernel, never readable by userspace) into keyring fscrypt-provision under"
say "root'"'"'s user keyring. Its log, left in /run for the real system:"
show "cat $INITRD_LOG" $BB cat "$INITRD_LOG"
say "The keys are still in kernel memory after switch_root:"
show "fscrypt-provision list" $FSP list
t "root'"'"'s key ($ROOT_ID) is held, permissions 0x39090000" has_key root "$ROOT_ID"
t "data'"'"'s key ($DATA_ID) is held, although /data is not mounted yet" has_key data "$DATA_ID"
t_not "nobody can read a key'"'"'s payload (keyctl read fails)" keyctl read "$(key_id root)"
t_not "the initramfs key file $ROOT_KEY is not in the real root" test -e "$ROOT_KEY"

step "2/6 switch_root"
say "The initramfs switched to the real root; its kernel log (seconds since boot):"
show "dmesg | grep -e fscrypt-provision -e \"Switching root\"" \
    sh -c "$BB dmesg | $BB grep -e fscrypt-provision -e \"Switching root\""
say "This is the real root'"'"'s /sbin/init (PID $$), started ${T_INIT} s after the kernel:"
show "grep \" / \" /proc/mounts" $BB grep " / " /proc/mounts
t "the real root is /dev/vda" $BB grep -q "^/dev/vda / ext4" /proc/mounts

step "3/6 The encrypted files are readable"
say "/secret on the root was unlocked by the initramfs:"
show "fscrypt-provision status /secret" $FSP status /secret
show "cat /secret/hello.txt" $BB cat /secret/hello.txt
t "/secret is unlocked and its files are byte-identical to the host'"'"'s" sums_ok /secret "$EXP/secret.sha256"
DATA_DEV=$(t_disk fspdata)
K=$(key_id data)
say "The data volume ($DATA_DEV) is mounted now; its key, loaded by the initramfs, unlocks it:"
t "mount $DATA_DEV /data" $BB mount -t ext4 "$DATA_DEV" /data
show "fscrypt-provision unlock /data" $FSP unlock /data
show "cat /data/vault/hello.txt" $BB cat /data/vault/hello.txt
t "/data/vault is unlocked and byte-identical" sums_ok /data/vault "$EXP/vault.sha256"

step "4/6 An update unmounts and remounts the data volume"
say "An updater replaces or remounts the volume: the fscrypt key goes with the old"
say "superblock, so the new mount is locked - only the provisioning key survives."
t "umount /data" $BB umount /data
t "mount $DATA_DEV /data again" $BB mount -t ext4 "$DATA_DEV" /data
show "fscrypt-provision status /data/vault" $FSP status /data/vault
say "Locked: the names are ciphertext, the files unreadable:"
show "ls /data/vault" $BB ls /data/vault
show "cat /data/vault/hello.txt" $BB cat /data/vault/hello.txt
t "/data/vault is locked after the remount" key_status /data/vault absent

step "5/6 Re-provision by key id, from a fresh session"
say "A new session keyring that does NOT possess key $K (setperm, a possessor-only"
say "right, fails there) unlocks /data by key id: the kernel copies the key"
say "from the provisioning key into the filesystem; no raw key passes userspace."
show "keyctl session - fscrypt-provision unlock /data" as_non_possessor "$K" $FSP unlock /data
t "/data/vault is unlocked again" key_status /data/vault present

step "6/6 Readable again, and no raw key in userspace"
show "ls /data/vault" $BB ls /data/vault
show "cat /data/vault/hello.txt" $BB cat /data/vault/hello.txt
t "the files in /data/vault are byte-identical again" sums_ok /data/vault "$EXP/vault.sha256"
t "/secret is still unlocked" key_status /secret present
say "Dumping every process'"'"'s memory, environment and command line, the kernel"
say "log and every file (unlocked ones included) for the host'"'"'s canary scan..."
t "dump everything for the host'"'"'s canary scan" t_dump
t_finish
'

# A copy of the tests' root image with the narrating init; sets
# DEMO_ASSETS, a directory shaped like FSP_ASSETS (the data disk and the keys
# are links to the tests' ones).
# shellcheck disable=SC2317 # run through fsp_build_once
build_demo_assets() {
    fsp_assets_with_init "$1" "$DEMO_INIT"
}

demo_assets() {
    # expected.env holds the random keys' identifiers: a rebuilt asset
    # directory of the same name gets a new copy.
    DEMO_ASSETS=$FSP_QEMU_CACHE/demo-root-$(fsp_hash "${FSP_ASSETS##*/}" "$FSP_ASSETS/expected.env" "$DEMO_INIT")
    fsp_cache_hit "$DEMO_ASSETS" && return 0
    fsp_build_once "$DEMO_ASSETS" build_demo_assets "$DEMO_ASSETS" || return 1
    fsp_locked fsp_cache_prune 'demo-root-*'
}

# --- the relay: console lines -> story -------------------------------------

relay_filter() {
    local line seen_initrd=0 seen_switch=0
    while IFS= read -r line; do
        line=${line%$'\r'}
        case $line in
            # The guest's story first: its command output may quote dracut.
            DEMO:STEP\ *) printf '\n%s== Step %s ==%s\n' "$B" "${line#DEMO:STEP }" "$N" ;;
            DEMO:SAY\ *) printf '   %s\n' "${line#DEMO:SAY }" ;;
            DEMO:CMD\ *) printf '   %s# %s%s\n' "$B" "${line#DEMO:CMD }" "$N" ;;
            DEMO:OUT\ *) printf '   %s|%s %s\n' "$D" "$N" "${line#DEMO:OUT }" ;;
            DEMO:OUT) printf '   %s|%s\n' "$D" "$N" ;;
            *"dracut: fscrypt-provision: "* | *"dracut Warning: fscrypt-provision"* | *"dracut: FATAL"*)
                if ((!seen_initrd)); then
                    printf '\n%s-- in the initramfs (live kernel console) --%s\n' "$B" "$N"
                    seen_initrd=1
                fi
                printf '   %s[initramfs]%s %s\n' "$D" "$N" "${line#*dracut: }"
                ;;
            *"dracut: Switching root"*)
                ((seen_switch)) || printf '   %s[initramfs]%s %s\n' "$D" "$N" "Switching root -> /dev/vda"
                seen_switch=1
                ;;
            "fsp-test: ok - "*) printf '   %s[ok]%s %s\n' "$G" "$N" "${line#fsp-test: ok - }" ;;
            "fsp-test: not ok - "*) printf '   %s[not ok]%s %s\n' "$R" "$N" "${line#fsp-test: not ok - }" ;;
            "fsp-test: RESULT "*) printf '   guest says: %s (the verdict comes from the marker disk and QEMU'"'"'s exit code)\n' "${line#fsp-test: RESULT }" ;;
            *"Kernel panic"* | *"emergency"*) printf '   %s[console]%s %s\n' "$R" "$N" "$line" ;;
        esac
    done
}

# --- main ----------------------------------------------------------------

check_needs
fsp_cache_init
printf '%sfscrypt-provision demo%s: a key loaded by the initramfs survives switch_root and an\n' "$B" "$N"
printf 'unmount/remount of its volume, and never shows up in userspace. One QEMU boot (TCG).\n\n'

if [[ ! -x $FSP_BIN ]] || { command -v make > /dev/null && ! make -q -C "$FSP_REPO" all > /dev/null 2>&1; }; then
    host "building the static helper (make)"
    make -s -C "$FSP_REPO" all || die2 "building the helper failed (make all)"
fi
host "helper: $FSP_BIN ($("$FSP_BIN" --version 2> /dev/null | head -n 1))"
host "kernel: $FSP_KERNEL; dracut $(dracut --version 2>&1 | grep -o '[0-9][0-9.-]*' | head -n 1); cache: $FSP_QEMU_CACHE"

t=$SECONDS
fsp_assets | sed 's/^# /[host] /' || {
    echo "FAIL (building the disk images)"
    exit 1
}
# fsp_assets ran in a pipeline (a subshell): set FSP_ASSETS here.
fsp_assets > /dev/null || exit 1
fsp_initrd shell | sed 's/^# /[host] /'
fsp_initrd shell > /dev/null || {
    echo "FAIL (building the initramfs)"
    exit 1
}
demo_assets || {
    echo "FAIL (building the demo root image)"
    exit 1
}
host "images ready in $((SECONDS - t)) s: root+data disks $(basename "$FSP_ASSETS"), initramfs $(basename "$FSP_INITRD") ($(du -m "$FSP_INITRD" | cut -f1) MiB, modules base rootfs-block fscrypt-provision)"
host "initramfs table (only 'initramfs' entries; their key files are embedded, mode 0400):"
grep -v '^#' "$FSP_ASSETS/fscrypttab" | sed 's/^/         /'

# Boot with the demo root; relay the console live.
TESTS_ASSETS=$FSP_ASSETS
FSP_ASSETS=$DEMO_ASSETS
FSP_RUN=$FSP_QEMU_CACHE/runs/$TEST_NAME
rm -rf "$FSP_RUN"
relay=$(mktemp -d /tmp/fsp-demo-relay.XXXXXX)
tail_pid=''
# shellcheck disable=SC2317 # called by the trap
stop_relay() {
    [[ $tail_pid ]] && kill "$tail_pid" 2> /dev/null
    tail_pid=''
    rm -rf "$relay"
}
trap stop_relay EXIT
mkfifo "$relay/fifo"
relay_filter < "$relay/fifo" &
filter_pid=$!
tail -n +1 -F -s 0.2 "$FSP_RUN/console.log" 2> /dev/null > "$relay/fifo" &
tail_pid=$!
echo
host "booting QEMU: Debian kernel $FSP_KVER, the initramfs, root and data disks, a marker disk..."
fsp_boot shell fsp.test=demo > "$relay/boot.out"
sleep 0.6
kill "$tail_pid" 2> /dev/null
tail_pid=''
wait "$filter_pid" 2> /dev/null
rm -rf "$relay"
echo
host "QEMU exited $FSP_QEMU_RC after $FSP_BOOT_SECONDS s"

# The verdict: isa-debug-exit + the check log on the marker disk, then the
# canary scan of the guest's dump and the console log.
verdict=PASS
if out=$(fsp_expect_pass 2>&1); then
    n=$(fsp_marker_log | grep -c '^ok')
    host "marker disk: $n checks ok, none failed; isa-debug-exit: pass (QEMU exit code $FSP_QEMU_PASS)"
else
    verdict=FAIL
    printf '%s\n' "$out" | sed 's/^# /[host] /'
fi
if [[ $verdict == PASS ]]; then
    host "canary scan: looking for both raw keys (each half, raw and hex) in the guest's dump and the console log"
    if out=$(fsp_scan_canary FSP-PLAINTEXT-CANARY-DATA FSP-PLAINTEXT-CANARY-ROOT 2>&1); then
        printf '%s\n' "$out" | sed 's/^# /[host] /'
        host "no raw key anywhere; the dump did contain the unlocked plaintext"
    else
        verdict=FAIL
        printf '%s\n' "$out" | sed 's/^# /[host] /'
    fi
fi
FSP_ASSETS=$TESTS_ASSETS
if [[ ${FSP_DEMO_RAW-} ]]; then
    host "raw console log:"
    tr -d '\r' < "$FSP_RUN/console.log"
fi
[[ ${FSP_QEMU_KEEP-} || $verdict != PASS ]] || rm -f "$FSP_RUN/marker.img"
echo
if [[ $verdict == PASS ]]; then
    printf '%sPASS%s (demo took %d s)\n' "$G$B" "$N" "$((SECONDS - T0))"
    exit 0
fi
printf '%sFAIL%s (logs in %s)\n' "$R$B" "$N" "$FSP_RUN"
exit 1
