#!/bin/bash
# SPDX-License-Identifier: MIT
# ARM board boots for the QEMU tests (TEST-13 arm64, TEST-14 armhf:
# FSP_BOARD_ARCH): Debian's kernel of that architecture and its
# busybox-static, fetched as packages through apt (the architectures that
# `make deps-cross` added) and unpacked, not installed; an initramfs of
# busybox alone with the test's hand-written /init, staged by
# initramfs/fscrypt-provision-stage; qemu-system-aarch64 -M virt -cpu max,
# or qemu-system-arm -M virt -cpu cortex-a15, under TCG. The guest's checks and verdict are the x86 tests'
# (guest/fsp-test-lib.sh): there is no isa-debug-exit on -M virt, so the
# guest powers off and the verdict is the marker disk's alone.
# Sourced after lib.sh.

: "${FSP_BOARD_ARCH:=arm64}"
# The kernel's flavour, QEMU's system emulator and its machine, the disks'
# virtio transport and its driver, the console, qemu-user's name, and
# what uname -m says (for the tests' checks). amd64 is this machine's own
# (TEST-16: UBIFS, whose nandsim Debian builds for amd64 only).
# shellcheck disable=SC2034 # FSP_BOARD_MACHINE, FSP_BOARD_DRIVERS: for the tests
case $FSP_BOARD_ARCH in
    arm64)
        FSP_BOARD_FLAVOUR=arm64 FSP_BOARD_QEMU=qemu-system-aarch64 FSP_BOARD_MACHINE=aarch64 u=aarch64
        FSP_BOARD_ARGS=(-M virt -cpu max) FSP_BOARD_DISK=virtio-blk-device FSP_BOARD_CONSOLE=ttyAMA0
        FSP_BOARD_DRIVERS="virtio_mmio virtio_blk"
        ;;
    armhf)
        FSP_BOARD_FLAVOUR=armmp FSP_BOARD_QEMU=qemu-system-arm FSP_BOARD_MACHINE=armv7l u=arm
        FSP_BOARD_ARGS=(-M virt -cpu cortex-a15) FSP_BOARD_DISK=virtio-blk-device FSP_BOARD_CONSOLE=ttyAMA0
        FSP_BOARD_DRIVERS="virtio_mmio virtio_blk"
        ;;
    amd64)
        FSP_BOARD_FLAVOUR=amd64 FSP_BOARD_QEMU=qemu-system-x86_64 FSP_BOARD_MACHINE=x86_64 u=x86_64
        FSP_BOARD_ARGS=(-cpu max) FSP_BOARD_DISK=virtio-blk-pci FSP_BOARD_CONSOLE=ttyS0
        FSP_BOARD_DRIVERS="virtio_pci virtio_blk"
        ;;
    *) FSP_BOARD_FLAVOUR='' u=none ;;
esac
if [[ $FSP_BOARD_ARCH == "$(dpkg --print-architecture)" ]]; then
    FSP_BOARD_BIN=$FSP_REPO/build/small/fscrypt-provision
    FSP_BOARD_USER='env'
else
    FSP_BOARD_BIN=$FSP_REPO/build/$FSP_BOARD_ARCH/small/fscrypt-provision
    # qemu-user: qemu-CPU-static on Debian 12, qemu-CPU (static) on 13.
    FSP_BOARD_USER=$(command -v "qemu-$u-static" || command -v "qemu-$u")
fi

# fsp_board_check: what the board tests need on this machine.
fsp_board_check() {
    local t
    [[ $FSP_BOARD_FLAVOUR ]] || {
        echo "FSP_BOARD_ARCH=$FSP_BOARD_ARCH: arm64 or armhf"
        return 1
    }
    [[ $FSP_BOARD_USER ]] || {
        echo "qemu-user for $FSP_BOARD_ARCH is missing (tools/install-deps.sh check)"
        return 1
    }
    for t in "$FSP_BOARD_QEMU" dpkg-deb depmod cpio mkfs.ext4 xfs_io; do
        command -v "$t" > /dev/null || {
            echo "$t is missing (tools/install-deps.sh check)"
            return 1
        }
    done
    [[ -x $FSP_BOARD_BIN ]] || {
        echo "$FSP_BOARD_BIN is not built (make small ARCH=$FSP_BOARD_ARCH; make check builds it)"
        return 1
    }
    [[ $FSP_BOARD_USER == env ]] || dpkg --print-foreign-architectures | grep -qx "$FSP_BOARD_ARCH" || {
        echo "dpkg has no $FSP_BOARD_ARCH architecture for apt to fetch from (make deps-cross)"
        return 1
    }
}

# fsp_board_pkgs: the kernel that linux-image-FLAVOUR names and
# busybox-static, of FSP_BOARD_ARCH, downloaded and unpacked into DIR/kernel and DIR/busybox,
# the kernel's module index made (the package's postinst would run
# depmod); sets FSP_BOARD_KVER. Cached with the package versions.
fsp_board_pkgs() {
    local img ver dir
    local a=$FSP_BOARD_ARCH
    img=$(apt-cache depends "linux-image-$FSP_BOARD_FLAVOUR:$a" 2> /dev/null |
        sed -n "s/^ *Depends: \(linux-image-[^:]*\)\(:$a\)\{0,1\}\$/\1/p" | head -n 1)
    [[ $img ]] || {
        err "apt knows no linux-image-$FSP_BOARD_FLAVOUR:$a (apt-get update after make deps-cross?)"
        return 1
    }
    ver=$(apt-cache policy "$img:$a" "busybox-static:$a" | sed -n 's/^ *Candidate: //p' | tr '\n' ' ')
    dir=$FSP_QEMU_CACHE/board-pkgs-$a-$(fsp_hash "$img $ver")
    # shellcheck disable=SC2034 # for the tests that source this
    FSP_BOARD_KVER=${img#linux-image-}
    FSP_BOARD_PKGS=$dir
    fsp_cache_build "$dir" "board-pkgs-$a-*" "fetching $img and busybox-static for $a ($ver)" \
        fsp_strict fsp_board_fetch "$dir" "$img"
}

fsp_board_fetch() {
    local dir=$1 img=$2 tmp
    tmp=$dir.tmp
    rm -rf "$tmp"
    mkdir -p "$tmp/debs"
    # apt's sandbox user cannot write in the cache directory (0700).
    (cd "$tmp/debs" && apt-get -q -o APT::Sandbox::User=root download "$img:$FSP_BOARD_ARCH" \
        "busybox-static:$FSP_BOARD_ARCH") > "$tmp/apt.log" 2>&1 || {
        cat "$tmp/apt.log" >&2
        return 1
    }
    dpkg-deb -x "$tmp"/debs/linux-image-*.deb "$tmp/kernel"
    dpkg-deb -x "$tmp"/debs/busybox-static_*.deb "$tmp/busybox"
    # Debian 13's package has its modules in /usr/lib/modules (merged /usr).
    [[ -e $tmp/kernel/lib || ! -d $tmp/kernel/usr/lib/modules ]] || ln -s usr/lib "$tmp/kernel/lib"
    depmod -b "$tmp/kernel" "${img#linux-image-}"
    rm -rf "$tmp/debs"
    mv "$tmp" "$dir"
}

# fsp_board_busybox DIR: busybox (the board's) in DIR/bin and a link for each of
# its applets where it puts them (busybox --install -s, asked of it under
# qemu-user): /sbin/modprobe among them, which the kernel runs to load
# fscrypt's algorithms.
fsp_board_busybox() {
    local a
    mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin"
    # /bin/busybox in Debian 12's package, /usr/bin/busybox in 13's.
    local bb=$FSP_BOARD_PKGS/busybox/bin/busybox
    [[ -e $bb ]] || bb=$FSP_BOARD_PKGS/busybox/usr/bin/busybox
    cp "$bb" "$1/bin/busybox"
    for a in $("$FSP_BOARD_USER" "$1/bin/busybox" --list-full); do
        [[ -e $1/$a || -L $1/$a ]] || ln -s /bin/busybox "$1/$a"
    done
}

# fsp_board_qemu RUN CMDLINE KERNEL INITRD DISK...: boots FSP_BOARD_QEMU
# with each DISK (FILE:SERIAL, snapshot) and a fresh marker disk, in the
# work directory runs/RUN; FSP_ANSWERS as in fsp_qemu. Sets FSP_RUN,
# FSP_QEMU_RC and FSP_BOOT_SECONDS.
fsp_board_qemu() {
    local try
    for try in 1 2; do
        fsp_board_qemu_once "$@"
        ((try == 1)) && fsp_qemu_stalled || break
    done
}

fsp_board_qemu_once() {
    local cmdline=$2 kernel=$3 initrd=$4 d t0 disks=()
    fsp_run_begin "$1"
    shift 4
    for d in "$@"; do
        disks+=(-drive "file=${d%:*},format=raw,if=none,id=${d##*:},snapshot=on"
            -device "$FSP_BOARD_DISK,drive=${d##*:},serial=${d##*:}")
    done
    t0=$SECONDS
    timeout -k 10 "$FSP_QEMU_TIMEOUT" "$FSP_BOARD_QEMU" \
        "${FSP_BOARD_ARGS[@]}" -smp "$FSP_QEMU_SMP" -m 768 \
        -nodefaults -no-reboot -display none -monitor none \
        "${FSP_SERIAL[@]}" -kernel "$kernel" -initrd "$initrd" \
        -append "console=$FSP_BOARD_CONSOLE panic=-1 $cmdline" \
        "${disks[@]}" \
        -drive "file=$FSP_RUN/marker.img,format=raw,if=none,id=marker,cache=unsafe" \
        -device "$FSP_BOARD_DISK,drive=marker,serial=fspmarker" \
        > "$FSP_RUN/qemu.log" 2>&1
    FSP_QEMU_RC=$?
    FSP_BOOT_SECONDS=$((SECONDS - t0))
    fsp_run_end
    msg "boot took $FSP_BOOT_SECONDS s, QEMU exit code $FSP_QEMU_RC"
}

# fsp_board_expect_pass: the marker's verdict, after a power-off (exit 0).
fsp_board_expect_pass() {
    local log
    log=$(fsp_marker_log)
    printf '%s\n' "$log" | grep -v '^FSP-MARKER' | sed 's/^/#   /'
    case $FSP_QEMU_RC in
        0) ;;
        124 | 137) err "QEMU timed out after $FSP_QEMU_TIMEOUT s" ;;
        *) err "QEMU exited $FSP_QEMU_RC (a crash?)" ;;
    esac
    if [[ $FSP_QEMU_RC == 0 ]] && grep -q '^RESULT PASS' <<< "$log" &&
        ! grep -q '^not ok' <<< "$log" && grep -q '^ok' <<< "$log"; then
        return 0
    fi
    [[ $log ]] || err "no verdict on the marker disk"
    fsp_show_console
    return 1
}
