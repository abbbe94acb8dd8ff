#!/bin/bash
# SPDX-License-Identifier: MIT
# arm64 boots for the QEMU tests (TEST-13): Debian's arm64 kernel and
# busybox-static, fetched as packages through apt (the architecture that
# `make deps-cross` added) and unpacked, not installed; an initramfs of
# busybox alone with the test's hand-written /init, staged by
# initramfs/fscrypt-provision-stage; qemu-system-aarch64 -M virt -cpu max
# under TCG. The guest's checks and verdict are the x86 tests'
# (guest/fsp-test-lib.sh): there is no isa-debug-exit on -M virt, so the
# guest powers off and the verdict is the marker disk's alone.
# Sourced after lib.sh.

FSP_ARM64_BIN=$FSP_REPO/build/arm64/small/fscrypt-provision
# qemu-user: qemu-aarch64-static on Debian 12, qemu-aarch64 (static) on 13.
FSP_ARM64_USER=$(command -v qemu-aarch64-static || command -v qemu-aarch64)

# fsp_arm64_check: what the arm64 tests need on this machine.
fsp_arm64_check() {
    local t
    [[ $FSP_ARM64_USER ]] || {
        echo "qemu-user for arm64 is missing (tools/install-deps.sh check)"
        return 1
    }
    for t in qemu-system-aarch64 dpkg-deb depmod cpio mkfs.ext4 xfs_io; do
        command -v "$t" > /dev/null || {
            echo "$t is missing (tools/install-deps.sh check)"
            return 1
        }
    done
    [[ -x $FSP_ARM64_BIN ]] || {
        echo "$FSP_ARM64_BIN is not built (make small ARCH=arm64; make check builds it)"
        return 1
    }
    dpkg --print-foreign-architectures | grep -qx arm64 || {
        echo "dpkg has no arm64 architecture for apt to fetch from (make deps-cross)"
        return 1
    }
}

# fsp_arm64_pkgs DIR: the arm64 kernel that linux-image-arm64 names and
# busybox-static, downloaded and unpacked into DIR/kernel and DIR/busybox,
# the kernel's module index made (the package's postinst would run
# depmod); sets FSP_ARM64_KVER. Cached with the package versions.
fsp_arm64_pkgs() {
    local img ver dir
    img=$(apt-cache depends linux-image-arm64:arm64 2> /dev/null | sed -n 's/^ *Depends: \(linux-image-[^:]*\):arm64$/\1/p' | head -n 1)
    [[ $img ]] || {
        err "apt knows no linux-image-arm64:arm64 (apt-get update after make deps-cross?)"
        return 1
    }
    ver=$(apt-cache policy "$img:arm64" busybox-static:arm64 | sed -n 's/^ *Candidate: //p' | tr '\n' ' ')
    dir=$FSP_QEMU_CACHE/arm64-pkgs-$(fsp_hash "$img $ver")
    # shellcheck disable=SC2034 # for the tests that source this
    FSP_ARM64_KVER=${img#linux-image-}
    FSP_ARM64_PKGS=$dir
    fsp_cache_build "$dir" 'arm64-pkgs-*' "fetching $img and busybox-static for arm64 ($ver)" \
        fsp_strict fsp_arm64_fetch "$dir" "$img"
}

fsp_arm64_fetch() {
    local dir=$1 img=$2 tmp
    tmp=$dir.tmp
    rm -rf "$tmp"
    mkdir -p "$tmp/debs"
    # apt's sandbox user cannot write in the cache directory (0700).
    (cd "$tmp/debs" && apt-get -q -o APT::Sandbox::User=root download "$img:arm64" busybox-static:arm64) > "$tmp/apt.log" 2>&1 || {
        cat "$tmp/apt.log" >&2
        return 1
    }
    dpkg-deb -x "$tmp"/debs/linux-image-*.deb "$tmp/kernel"
    dpkg-deb -x "$tmp"/debs/busybox-static_*.deb "$tmp/busybox"
    depmod -b "$tmp/kernel" "${img#linux-image-}"
    rm -rf "$tmp/debs"
    mv "$tmp" "$dir"
}

# fsp_arm64_busybox DIR: busybox (arm64) in DIR/bin and a link for each of
# its applets where it puts them (busybox --install -s, asked of it under
# qemu-user): /sbin/modprobe among them, which the kernel runs to load
# fscrypt's algorithms.
fsp_arm64_busybox() {
    local a
    mkdir -p "$1/bin" "$1/sbin" "$1/usr/bin" "$1/usr/sbin"
    cp "$FSP_ARM64_PKGS/busybox/bin/busybox" "$1/bin/busybox"
    for a in $("$FSP_ARM64_USER" "$1/bin/busybox" --list-full); do
        [[ -e $1/$a || -L $1/$a ]] || ln -s /bin/busybox "$1/$a"
    done
}

# fsp_arm64_qemu RUN CMDLINE KERNEL INITRD DISK...: boots qemu-system-aarch64
# with each DISK (FILE:SERIAL, snapshot) and a fresh marker disk, in the
# work directory runs/RUN; FSP_ANSWERS as in fsp_qemu. Sets FSP_RUN,
# FSP_QEMU_RC and FSP_BOOT_SECONDS.
fsp_arm64_qemu() {
    local cmdline=$2 kernel=$3 initrd=$4 d t0 typist=
    FSP_RUN=$(fsp_run_dir "$1")
    shift 4
    rm -rf "$FSP_RUN"
    mkdir -p "$FSP_RUN"
    truncate -s "${FSP_MARKER_SIZE:-64M}" "$FSP_RUN/marker.img"
    local disks=() serial=(-serial "file:$FSP_RUN/console.log")
    for d in "$@"; do
        disks+=(-drive "file=${d%:*},format=raw,if=none,id=${d##*:},snapshot=on"
            -device "virtio-blk-device,drive=${d##*:},serial=${d##*:}")
    done
    if [[ ${FSP_ANSWERS-} ]]; then
        serial=(-chardev "socket,id=con,path=$FSP_RUN/console.sock,server=on,wait=off,logfile=$FSP_RUN/console.log"
            -serial chardev:con)
        "$FSP_QEMU_DIR/type-answers.py" "$FSP_RUN/console.sock" \
            "${FSP_PROMPT:-for fscrypt volume [a-z]+:+}" "$FSP_ANSWERS" 2> "$FSP_RUN/typist.log" &
        typist=$!
    fi
    t0=$SECONDS
    timeout -k 10 "$FSP_QEMU_TIMEOUT" qemu-system-aarch64 \
        -M virt -cpu max -smp "$FSP_QEMU_SMP" -m 768 \
        -nodefaults -no-reboot -display none -monitor none \
        "${serial[@]}" -kernel "$kernel" -initrd "$initrd" \
        -append "console=ttyAMA0 panic=-1 $cmdline" \
        "${disks[@]}" \
        -drive "file=$FSP_RUN/marker.img,format=raw,if=none,id=marker,cache=unsafe" \
        -device virtio-blk-device,drive=marker,serial=fspmarker \
        > "$FSP_RUN/qemu.log" 2>&1
    FSP_QEMU_RC=$?
    FSP_BOOT_SECONDS=$((SECONDS - t0))
    if [[ $typist ]]; then
        kill "$typist" 2> /dev/null
        wait "$typist" 2> /dev/null
        msg "$(cat "$FSP_RUN/typist.log")"
    fi
    msg "boot took $FSP_BOOT_SECONDS s, QEMU exit code $FSP_QEMU_RC"
}

# fsp_arm64_expect_pass: the marker's verdict, after a power-off (exit 0).
fsp_arm64_expect_pass() {
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
