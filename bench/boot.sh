#!/bin/bash
# SPDX-License-Identifier: MIT
# make bench-boot: what the dracut module costs at boot (a benchmark, not a
# test: it fails only on real errors, never on the goal).
#
# Boots the same kernel and busybox root (tests/qemu's images) under QEMU
# with three initramfs images built by Debian's dracut from the same module
# set, BOOT_RUNS times each (default 5), in turn, and compares the medians
# of the boot-to-switch_root time:
#   with     50fscrypt-provision ("base rootfs-block fscrypt-provision", a
#            table with one initramfs key that unlocks the root's /secret:
#            the raw key file, embedded with the option embed-raw-key);
#   byhand   the baseline: the same job done the cheapest way by hand, a
#            3-line pre-pivot hook that adds the same raw key to the same
#            root with xfs_io add_enckey (bench/modules.d/59fsp-byhand);
#   without  neither ("base rootfs-block"): /secret stays locked. The
#            difference to it includes the kernel's first use of fscrypt,
#            which any unlock pays.
# The goal is on with/byhand: what the module costs over doing it by hand.
#
# The measure, taken in the guest: the very first command of the real
# root's /sbin/init writes a line to /dev/kmsg, and the kernel stamps it
# with local_clock() (the printk time, in microseconds since the kernel
# started). That is the end of switch_root - the moment the real system
# runs - with microsecond resolution and none of the host's QEMU start-up or
# console latency. /proc/uptime, the other guest clock, has only 10 ms
# resolution; dracut's own "Switching root" kmsg line (just before
# switch_root runs) is reported too. Under TCG the guest clock follows the
# host's, so host load shows up as noise: compare medians, and rerun on an
# idle machine for numbers worth quoting.
#
#   sudo bench/boot.sh            BOOT_RUNS=9 sudo bench/boot.sh
# Exit codes: 0 done (goal met or missed), 1 a boot or build failed, 2 cannot
# run. Settings: BOOT_RUNS, BOOT_GOAL_PCT (default 2), and tests/qemu/lib.sh's
# (FSP_QEMU_CACHE, FSP_KVER, FSP_QEMU_SMP, FSP_QEMU_TIMEOUT, ...).
set -u

# shellcheck source=../tests/qemu/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/qemu/lib.sh"

: "${BOOT_RUNS:=5}"
: "${BOOT_GOAL_PCT:=2}"
[[ $BOOT_RUNS =~ ^[1-9][0-9]*$ ]] || {
    echo "bench-boot: BOOT_RUNS must be a positive integer" >&2
    exit 2
}
TEST_NAME=BENCH-BOOT
export TEST_NAME
BENCH_MODS_WITHOUT="base rootfs-block"
BENCH_MODS_WITH="base rootfs-block fscrypt-provision"
BENCH_MODS_BYHAND="base rootfs-block fsp-byhand"
FSP_DRACUT_EXTRA_MODULES="$FSP_REPO/bench/modules.d/59fsp-byhand"

if ! reason=$(fsp_require_tools); then
    echo "bench-boot: cannot run: $reason" >&2
    echo "bench-boot: Debian 12: sudo env INITRD=No apt-get install -y qemu-system-x86 dracut-core linux-image-amd64 busybox-static keyutils e2fsprogs util-linux kmod udev systemd cpio; make" >&2
    exit 2
fi

# /sbin/init of the bench root. Its first command stamps the kernel log;
# then it reports the stamps, /proc/uptime and whether /secret is unlocked
# through the marker disk (fsp-test-lib.sh) and leaves through
# isa-debug-exit.
# shellcheck disable=SC2016 # guest code, expanded in the guest
BENCH_INIT='#!/bin/sh
echo "fsp-bench: real init started" > /dev/kmsg
BB=/bin/busybox
U=$($BB cut -d" " -f1 /proc/uptime)
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
. /usr/lib/fsp-test/lib.sh
t_init
ts() { $BB dmesg | $BB sed -n "s#^\[ *\([0-9.]*\)\] .*$1.*#\1#p" | $BB head -n 1; }
t_log "BENCH init=$(ts "fsp-bench: real init started") switching=$(ts "dracut: Switching root") run_init=$(ts "Run /init as init process") mounted=$(ts "dracut: Mounted root filesystem") apply_start=$(ts "fscrypt-provision: applying") apply_end=$(ts "fscrypt-provision: apply:") uptime=$U"
if $FSP status --json /secret | $BB grep -q "\"key_status\": \"present\""; then
    t_log "BENCH secret=present"
else
    t_log "BENCH secret=absent"
fi
t_log "BENCH modules: $($BB cut -d" " -f1 /proc/modules | $BB sort | $BB tr "\n" " ")"
t "the kernel log has the init stamp" sh -c "$BB dmesg | $BB grep -q \"fsp-bench: real init started\""
t_finish
'

# A copy of the tests' root image with the bench init, and the table with
# one initramfs key (root's) for the image with the module. Both images that
# unlock embed the same raw key file, so that the comparison is like for
# like: a slots file would add its unwrap (Argon2id) to the module's side
# alone. embed refuses a raw key file without embed-raw-key.
bench_table() {
    printf '# volume mountpoint key-source directories options\nroot / %s secret initramfs,embed-raw-key\n' \
        "$FSP_ASSETS/keys/root.key"
}

# shellcheck disable=SC2317 # run through fsp_locked
build_bench_assets() {
    fsp_assets_with_init "$1" "$BENCH_INIT" "$(bench_table)"
}

# The two initramfs images: same dracut options as tests/qemu's, only the
# module set differs (no test module, no extra files).
# shellcheck disable=SC2317 # run through fsp_locked
build_bench_initrd() {
    fsp_run_dracut "$2" "$BENCH_ASSETS/fscrypttab" "$1"
}

bench_initrd() { # with|byhand|without -> prints the image path
    local v=$1 mods h img
    case $v in
        with) mods=$BENCH_MODS_WITH ;;
        byhand) mods=$BENCH_MODS_BYHAND ;;
        *) mods=$BENCH_MODS_WITHOUT ;;
    esac
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$mods" "$FSP_KVER" "$(dracut --version 2>&1)" \
        "$FSP_BIN" "$BENCH_ASSETS/fscrypttab" "$FSP_ASSETS/keys" \
        "$FSP_REPO/dracut-module/50fscrypt-provision" "${FSP_BIN%/*}/fscrypt-provision-lib.sh" "$FSP_DRACUT_DRIVERS" \
        "$FSP_REPO/bench/modules.d/59fsp-byhand" \
        "$(declare -f build_bench_initrd fsp_run_dracut fsp_dracut fsp_dracut_base)")
    img=$FSP_QEMU_CACHE/initrd-bench-$v-$h.img
    if [[ ! -s $img ]]; then
        msg "building the initramfs $v ($mods)" >&2
        fsp_locked build_bench_initrd "$mods" "$img" >&2 || return 1
        fsp_locked fsp_cache_prune "initrd-bench-$v-*.img"
    fi
    echo "$img"
}

median() { # numbers on stdin
    sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

field() { # KEY LINE
    sed -n "s/.*\<$1=\([0-9.]*\).*/\1/p" <<< "$2"
}

# --- main ----------------------------------------------------------------

fsp_cache_init
T0=$SECONDS
fsp_assets || exit 1
# expected.env holds the random keys' identifiers: a rebuilt asset
# directory of the same name gets a new copy.
# The table is in the key too: a copy made with another table is not reused.
BENCH_ASSETS=$FSP_QEMU_CACHE/bench-root-$(fsp_hash "${FSP_ASSETS##*/}" "$FSP_ASSETS/expected.env" "$BENCH_INIT" "$(bench_table)")
if [[ ! -s $BENCH_ASSETS/root.img ]]; then
    fsp_locked build_bench_assets "$BENCH_ASSETS" || exit 1
    fsp_locked fsp_cache_prune 'bench-root-*'
fi
# The baseline's hook reads the same key file that the module's table names.
FSP_BENCH_KEY=$FSP_ASSETS/keys/root.key
export FSP_BENCH_KEY FSP_DRACUT_EXTRA_MODULES
INITRD_WITH=$(bench_initrd with) || exit 1
INITRD_BYHAND=$(bench_initrd byhand) || exit 1
INITRD_WITHOUT=$(bench_initrd without) || exit 1
msg "kernel $FSP_KVER, $FSP_QEMU_SMP CPUs, accel $FSP_QEMU_ACCEL, $BOOT_RUNS boots each, alternating"
msg "with:    $(du -k "$INITRD_WITH" | cut -f1) KiB, modules: $BENCH_MODS_WITH (table: 1 initramfs key, root's /secret)"
msg "byhand:  $(du -k "$INITRD_BYHAND" | cut -f1) KiB, modules: $BENCH_MODS_BYHAND (xfs_io add_enckey of the same key)"
msg "without: $(du -k "$INITRD_WITHOUT" | cut -f1) KiB, modules: $BENCH_MODS_WITHOUT"

FSP_ASSETS=$BENCH_ASSETS
results=$(mktemp /tmp/fsp-bench-boot.XXXXXX)
trap 'rm -f "$results"' EXIT
errors=0
printf '# %-4s %-8s %12s %14s %12s %10s\n' run initramfs "init (ms)" "switching (ms)" "module (ms)" "wall (s)"
for ((i = 1; i <= BOOT_RUNS; i++)); do
    for v in with byhand without; do
        case $v in
            with) FSP_INITRD=$INITRD_WITH ;;
            byhand) FSP_INITRD=$INITRD_BYHAND ;;
            *) FSP_INITRD=$INITRD_WITHOUT ;;
        esac
        fsp_boot shell fsp.test=bench > /dev/null
        log=$(fsp_marker_log)
        line=$(grep '^BENCH init=' <<< "$log")
        init=$(field init "$line")
        sw=$(field switching "$line")
        a0=$(field apply_start "$line")
        a1=$(field apply_end "$line")
        want=present
        [[ $v == without ]] && want=absent
        if [[ $FSP_QEMU_RC != "$FSP_QEMU_PASS" || -z $init ]] || ! grep -q '^RESULT PASS' <<< "$log"; then
            err "boot $i $v: QEMU exit code $FSP_QEMU_RC, marker: ${line:-nothing}"
            fsp_show_console >&2
            errors=$((errors + 1))
            continue
        fi
        if ! grep -q "^BENCH secret=$want" <<< "$log"; then
            err "boot $i $v: /secret should be $want after switch_root"
            errors=$((errors + 1))
            continue
        fi
        mod=-
        [[ $a0 && $a1 ]] && mod=$(awk -v a="$a0" -v b="$a1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
        ri=$(field run_init "$line")
        mt=$(field mounted "$line")
        printf '%s %s %s %s %s\n' "$v" "$init" "${sw:--}" "${ri:--}" "${mt:--}" >> "$results"
        # The kernel modules loaded at the end of the boot (the last run's).
        printf -v "mods_$v" '%s' "$(sed -n 's/^BENCH modules: //p' <<< "$log")"
        printf '  %-4s %-8s %12.1f %14s %12s %10s\n' "$i" "$v" "$(awk -v x="$init" 'BEGIN { print x * 1000 }')" \
            "$([[ $sw ]] && awk -v x="$sw" 'BEGIN { printf "%.1f", x * 1000 }')" "$mod" "$FSP_BOOT_SECONDS"
    done
done
rm -rf "$FSP_RUN"

if ((errors)); then
    err "$errors boots failed; no summary"
    exit 1
fi
med() { # VARIANT COLUMN
    awk -v v="$1" -v c="$2" '$1 == v && $c != "-" { print $c }' "$results" | median
}
echo
awk -v w="$(med with 2)" -v h="$(med byhand 2)" -v o="$(med without 2)" \
    -v sw="$(med with 3)" -v sh="$(med byhand 3)" -v so="$(med without 3)" \
    -v goal="$BOOT_GOAL_PCT" -v n="$BOOT_RUNS" 'BEGIN {
    printf "boot to the real root'"'"'s init (kernel clock, median of %d):\n", n
    printf "  with the module:          %9.1f ms\n", w * 1000
    printf "  by hand (xfs_io hook):    %9.1f ms\n", h * 1000
    printf "  without either:           %9.1f ms\n", o * 1000
    printf "  ratio with/by hand:       %9.4f  (%+.1f ms, %+.2f%%)\n", w / h, (w - h) * 1000, (w / h - 1) * 100
    printf "  ratio with/without:       %9.4f  (%+.1f ms, %+.2f%%)\n", w / o, (w - o) * 1000, (w / o - 1) * 100
    printf "  ratio by hand/without:    %9.4f  (%+.1f ms, %+.2f%%)\n", h / o, (h - o) * 1000, (h / o - 1) * 100
    if (sw != "" && sh != "" && so != "")
        printf "  (dracut \"Switching root\": %.1f ms with, %.1f ms by hand, %.1f ms without)\n", sw * 1000, sh * 1000, so * 1000
    printf "goal: the module adds <= %s%% over doing it by hand: %s\n", goal, (w / h - 1) * 100 <= goal ? "MET" : "MISSED"
}'
# Where the difference goes: the median of each phase, from the kernel
# log's stamps ("Run /init as init process": the initramfs is unpacked;
# "Mounted root filesystem": dracut mounted /sysroot; then the pre-pivot
# hooks, ours among them, until "Switching root"; then switch_root).
phase() { # VARIANT AWK-EXPRESSION
    awk -v v="$1" '$1 == v && $3 != "-" && $4 != "-" && $5 != "-" { print '"$2"' }' "$results" | median
}
echo "phases (median ms)                  with    byhand   without  with-byhand"
for p in "kernel start -> initramfs /init:\$4" "/init -> root mounted:\$5 - \$4" \
    "root mounted -> Switching root:\$3 - \$5" "Switching root -> real init:\$2 - \$3"; do
    a=$(phase with "${p#*:}")
    h=$(phase byhand "${p#*:}")
    b=$(phase without "${p#*:}")
    [[ $a && $h && $b ]] && awk -v n="${p%%:*}" -v a="$a" -v h="$h" -v b="$b" \
        'BEGIN { printf "  %-32s %8.1f %9.1f %9.1f %+12.1f\n", n, a * 1000, h * 1000, b * 1000, (a - h) * 1000 }'
done
# shellcheck disable=SC2154 # set by printf -v
extra=$(comm -13 <(tr ' ' '\n' <<< "$mods_without" | sort) <(tr ' ' '\n' <<< "$mods_with" | sort) | grep . | tr '\n' ' ')
echo "kernel modules loaded only with the module: ${extra:-none}"
msg "bench-boot took $((SECONDS - T0)) s"
exit 0
