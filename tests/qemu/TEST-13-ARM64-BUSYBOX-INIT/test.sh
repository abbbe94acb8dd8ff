#!/bin/bash
# SPDX-License-Identifier: MIT
# An arm64 board (qemu-system-aarch64 -M virt -cpu max, TCG; TEST-14 runs
# the same on armhf, FSP_BOARD_ARCH) with Debian's kernel of that
# architecture and an initramfs of busybox alone: the hand-written /init of
# this directory, the files that initramfs/fscrypt-provision-stage took
# from embed --manifest (the board's musl helper, the boot steps, the table,
# the slots file, the kernel's crypto and ext4 modules, and the board's
# virtio drivers through --module). /data's key comes from a slots file
# with an exec slot (an unsealer standing in for OP-TEE or CAAM) and a
# passphrase slot, two boots:
#   exec  the unsealer is in the image: it prints the secret, no prompt;
#   pass  it is not: the passphrase is typed at the serial console.
# After switch_root, the real root's /sbin/init (check.sh) runs the update:
# fscrypt-provision-update pre, /data unmounted and mounted, update post,
# which unlocks it by key id with no secret read (the unsealer does not
# run again); then the canary scan.
# With FSP_BOARD_UBIFS=1 (TEST-16, amd64: Debian builds nandsim there
# only), /data is UBIFS on a simulated NAND, empty at each boot: the /init
# makes the UBI volume, fsp_boot adds the key to it by key id, the /init
# puts a v2 policy on the vault and copies the files in; one boot (exec).
: "${FSP_BOARD_ARCH:=arm64}"
: "${FSP_BOARD_UBIFS:=}"
if [[ $FSP_BOARD_UBIFS ]]; then
    TEST_DESCRIPTION="UBIFS /data on nandsim: a v2 policy, provisioned by key id in a busybox initramfs, the update's remount unlocked by key id, byte-identical"
    FSP_T13_CASES=(exec)
else
    TEST_DESCRIPTION="$FSP_BOARD_ARCH board: busybox-only /init, fsp_boot, /data from an exec slot and from a passphrase at the serial console, the update's remount by key id"
    FSP_T13_CASES=(exec pass)
fi

FSP_T13_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FSP_T13_PASS="$FSP_BOARD_ARCH board passphrase"
FSP_T13_UNSEALER=/usr/local/sbin/fsp-unseal

test_check() {
    fsp_board_check || return 1
    command -v python3 > /dev/null || { echo "python3 is missing" && return 1; }
    command -v unshare > /dev/null || { echo "unshare is missing (util-linux)" && return 1; }
}

# t13_enroll DIR: DIR/data.slots for keys/data.key: an exec slot running
# the unsealer at its path on the board, then a passphrase slot (from
# descriptor 4), which enroll adds once the exec slot opened the file.
# enroll runs the unsealer; it is put at its path in a mount namespace of
# its own, so that nothing of this machine changes.
t13_enroll() {
    local d=$1
    # shellcheck disable=SC2016 # expanded by that bash
    unshare -m bash -c 'mount -t tmpfs -o mode=0755 tmpfs "${4%/*}" && mount -t tmpfs -o mode=0755 tmpfs /run &&
        install -m 0755 "$1" "$4" &&
        "$2" enroll --slots "$3/data.slots" --key-file "$3/keys/data.key" --quiet --exec "$4" -- &&
        "$2" enroll --slots "$3/data.slots" --passphrase --new-passphrase-fd 4 \
            --pbkdf-iterations 1 --pbkdf-memory 8192 --quiet' \
        _ "$FSP_T13_DIR/unseal" "$FSP_BIN" "$d" "$FSP_T13_UNSEALER" 4< <(printf '%s\n' "$FSP_T13_PASS")
}

# t13_files DIR: the vault's files in DIR/files, and their sums.
t13_files() {
    mkdir "$1/files"
    echo "hello from an arm board" > "$1/files/hello.txt"
    head -c 262144 /dev/urandom > "$1/files/random.bin"
    (cd "$1/files" && sha256sum hello.txt random.bin) > "$1/vault.sha256"
}

# t13_data DIR: DIR/data.img, an ext4 with the encrypt feature whose vault
# xfs_io encrypted with keys/data.key, holding the files.
t13_data() {
    local d=$1 m
    truncate -s 64M "$d/data.img"
    mkfs.ext4 -q -F -O encrypt "$d/data.img"
    m=$(mktemp -d "$FSP_QEMU_CACHE/mnt.XXXXXX")
    mount -o loop "$d/data.img" "$m"
    mkdir "$m/vault"
    xfs_io -c add_enckey "$m/vault" < "$d/keys/data.key" > /dev/null
    xfs_io -c "set_encpolicy $(cat "$d/id")" "$m/vault"
    cp "$d/files/hello.txt" "$d/files/random.bin" "$m/vault/"
    xfs_io -c "rm_enckey $(cat "$d/id")" "$m/vault" > /dev/null
    umount "$m"
    rmdir "$m"
}

# t13_root DIR: DIR/root, the real root's tree: busybox, the board's helper,
# the update entry point, the table, the slots file, the checks.
t13_root() {
    local d=$1 r=$1/root
    fsp_board_busybox "$r"
    mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/run" "$r/tmp" "$r/data" "$r/usr/lib/fsp-test"
    install -m 0755 "$FSP_BOARD_BIN" "$r/usr/sbin/fscrypt-provision"
    install -m 0755 "$FSP_REPO/hooks/fscrypt-provision-update" "$r/usr/sbin/"
    install -m 0755 "$FSP_T13_DIR/check.sh" "$r/sbin/init"
    install -m 0644 "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" "$r/usr/lib/fsp-test/lib.sh"
    install -m 0644 "$d/vault.sha256" "$r/usr/lib/fsp-test/"
    install -d -m 0700 "$r/etc/fscrypt-provision"
    install -m 0400 "$d/data.slots" "$r/etc/fscrypt-provision/"
    # On UBIFS the vault is made after the boot step: the entry names no
    # directory, and its key is added to /data by key id.
    echo "data /data slots:/etc/fscrypt-provision/data.slots $([[ $FSP_BOARD_UBIFS ]] && echo - || echo vault) initramfs,identifier=$(cat "$d/id")" \
        > "$r/etc/fscrypttab"
}

# t13_root_image DIR: DIR/root.img from the tree, with the kernel modules
# the initramfs has (and their index), as a board's root file system holds
# its kernel's: the kernel loads the file name cipher (cts) only when a
# name is first read, after switch_root.
t13_root_image() {
    cp -a "$1/stage-exec/lib" "$1/root/"
    truncate -s 64M "$1/root.img"
    mkfs.ext4 -q -F -d "$1/root" "$1/root.img"
}

# t13_initrd DIR CASE: DIR/initrd-CASE.cpio, staged from the manifest; the
# exec case also holds the unsealer.
t13_initrd() {
    local d=$1 s=$1/stage-$2
    fsp_board_busybox "$s"
    # The kernel opens /dev/console for /init's stdio before /init runs.
    mkdir -p "$s/dev" "$s/proc" "$s/sys" "$s/run" "$s/newroot"
    mknod -m 0600 "$s/dev/console" c 5 1
    install -m 0755 "$FSP_T13_DIR/init" "$s/init"
    [[ $2 != exec ]] || install -D -m 0755 "$FSP_T13_DIR/unseal" "$s$FSP_T13_UNSEALER"
    local mods=$FSP_BOARD_DRIVERS m extra=()
    mkdir -p "$s/etc"
    if [[ $FSP_BOARD_UBIFS ]]; then
        # A 256 MiB NAND of 2 KiB pages; UBI's tools from mtd-utils, with
        # this machine's libc (the board is this machine's architecture).
        # UBIFS sets up each of its compressors when it loads, and nothing
        # pulls in those that are modules (zstd on Debian 12; all three,
        # lzo, deflate for zlib, and zstd, on 13).
        mods="$mods nandsim ubi lzo deflate zstd ubifs"
        cp "$(command -v ubiattach)" "$(command -v ubimkvol)" "$s/usr/sbin/"
        install -D -m 0755 "$(ldd "$(command -v ubiattach)" | awk '$1 ~ /^libc\.so/ { print $3 }')" \
            "$s/lib/$FSP_BOARD_MACHINE-linux-gnu/libc.so.6"
        install -D -m 0755 "$(readlink -f /lib64/ld-linux-x86-64.so.2)" "$s/lib64/ld-linux-x86-64.so.2"
        install -D -m 0644 -t "$s/usr/lib/fsp-test/files" "$d/files/hello.txt" "$d/files/random.bin"
        cat "$d/id" > "$s/etc/board-ubifs"
    fi
    for m in $mods ext4; do
        case $m in
            nandsim) echo "nandsim first_id_byte=0x20 second_id_byte=0xaa third_id_byte=0x00 fourth_id_byte=0x15" ;;
            *) echo "$m" ;;
        esac
        [[ $m == ext4 ]] || extra+=(--module "$m")
    done > "$s/etc/board-modules"
    FSCRYPT_PROVISION_BIN=$FSP_BIN "$FSP_REPO/initramfs/fscrypt-provision-stage" \
        --helper "$FSP_BOARD_BIN" --tab "$d/root/etc/fscrypttab" --sysroot "$d/root" \
        --modules "$FSP_BOARD_PKGS/kernel" --kver "$FSP_BOARD_KVER" "${extra[@]}" "$s" 2> "$d/stage-$2.log"
    (cd "$s" && find . | cpio -o -H newc --quiet) > "$d/initrd-$2.cpio"
    chmod 0600 "$d/initrd-$2.cpio"
}

t13_build() {
    local d=$1 tmp=$1.tmp
    rm -rf "$tmp"
    mkdir -p "$tmp/keys"
    fsp_make_key "$tmp/keys/data.key"
    "$FSP_BIN" identifier --key-file "$tmp/keys/data.key" > "$tmp/id"
    t13_enroll "$tmp"
    t13_files "$tmp"
    [[ $FSP_BOARD_UBIFS ]] || t13_data "$tmp"
    t13_root "$tmp"
    for c in "${FSP_T13_CASES[@]}"; do
        t13_initrd "$tmp" "$c"
    done
    t13_root_image "$tmp"
    mv "$tmp" "$d"
}

test_setup() {
    fsp_board_pkgs || return 1
    FSP_ASSETS=$FSP_QEMU_CACHE/board-assets-$FSP_BOARD_ARCH${FSP_BOARD_UBIFS:+-ubifs}-$(fsp_hash "$FSP_BOARD_PKGS" "$FSP_BIN" "$FSP_BOARD_BIN" \
        "$FSP_T13_DIR" "$FSP_REPO/initramfs" "$FSP_REPO/hooks/fscrypt-provision-update" \
        "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" "$FSP_QEMU_DIR/board.sh")
    fsp_cache_build "$FSP_ASSETS" "board-assets-$FSP_BOARD_ARCH${FSP_BOARD_UBIFS:+-ubifs}-*" \
        "building the $FSP_BOARD_ARCH board's disks and initramfs images" \
        fsp_strict t13_build "$FSP_ASSETS"
}

# t13_boot CASE: one boot and its verdict, the canary scan, the time.
t13_boot() {
    local r
    local disks=("$FSP_ASSETS/root.img:fsproot") data=ubifs
    [[ $FSP_BOARD_UBIFS ]] || disks+=("$FSP_ASSETS/data.img:fspdata") data=disk
    fsp_board_qemu "$TEST_NAME-$1" "fsp.case=$1 fsp.machine=$FSP_BOARD_MACHINE fsp.data=$data" \
        "$FSP_BOARD_PKGS/kernel/boot/vmlinuz-$FSP_BOARD_KVER" "$FSP_ASSETS/initrd-$1.cpio" "${disks[@]}"
    fsp_board_expect_pass && fsp_scan_canary "hello from an arm board"
    r=$?
    fsp_marker_log | sed -n 's/^time: /# '"$1"': /p'
    return $r
}

test_run() {
    local r=0
    msg "$FSP_BOARD_ARCH kernel $FSP_BOARD_KVER; the image's helper: $(stat -c %s "$FSP_BOARD_BIN") bytes (musl, unstripped)"
    sed 's/^/# stage: /' "$FSP_ASSETS/stage-exec.log"
    t13_boot exec || r=1
    if grep -a -q "for fscrypt volume" "$FSP_RUN/console.log"; then
        err "the exec boot asked for a passphrase"
        r=1
    fi
    [[ ${FSP_T13_CASES[*]} == *pass* ]] || return $r
    fsp_answers "$FSP_T13_PASS" || return 1
    t13_boot pass || r=1
    fsp_answers
    return $r
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# shellcheck source=../board.sh
. "$FSP_T13_DIR/../board.sh"
fsp_test_main "$@"
