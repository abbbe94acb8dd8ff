#!/bin/bash
# SPDX-License-Identifier: MIT
# Shared by tests/qemu/TEST-*/test.sh: builds the disk images and the
# initramfs images (cached, keyed by a hash of their inputs), boots QEMU with
# an outer timeout, reads the guest's verdict from the marker disk and
# isa-debug-exit, and scans everything the guest dumped for the raw keys.
#
# Real parts only: Debian's kernel, an initramfs built by Debian's dracut with
# dracut-module/50fscrypt-provision, the static helper from build/, busybox.
#
# Settings (environment):
#   FSP_QEMU_CACHE    cache directory (default /var/tmp/fsp-qemu-cache)
#   FSP_KVER          kernel version (default: the newest /boot/vmlinuz-* with
#                     modules, e.g. Debian 12's 6.1.0-56-amd64)
#   FSP_KERNEL        the kernel image (default /boot/vmlinuz-$FSP_KVER)
#   FSP_KMODDIR       its modules directory (default /lib/modules/$FSP_KVER);
#                     the minimal test kernels of kernel-patches/test-only
#                     have theirs in the kernel cache
#   FSP_BIN           the static helper (default build/fscrypt-provision)
#   FSP_QEMU_TIMEOUT  seconds per boot before it counts as hung (default 240)
#   FSP_QEMU_ACCEL    QEMU accelerator (default tcg; tcg,thread=single for
#                     kernels from 6.12 on: see fsp_pick_accel)
#   FSP_QEMU_SMP      guest CPUs (default 2)
#   FSP_QEMU_KEEP     keep the per-test work directory even on success
#   FSP_QEMU_DIST     the Debian release whose kernel, dracut, mkinitramfs
#                     and systemd the tests use: bookworm or trixie (default:
#                     this machine's own); see dist.sh
#
# Test shape (like dracut's test/TEST-*/test.sh): a test defines test_check,
# test_setup and test_run, sources this file and calls fsp_test_main.

set -u
FSP_QEMU_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FSP_REPO=$(cd "$FSP_QEMU_DIR/../.." && pwd)
: "${FSP_QEMU_CACHE:=/var/tmp/fsp-qemu-cache}"
# The newest kernel in /boot that has its modules in /lib/modules.
fsp_default_kver() {
    local k v
    for k in $(printf "%s\n" /boot/vmlinuz-* | sort -rV); do
        v=${k#/boot/vmlinuz-}
        [[ -d /lib/modules/$v/kernel ]] && echo "$v" && return 0
    done
    echo none
}
# A kernel named by the caller is kept whatever the release (dist.sh).
[[ ${FSP_KVER-} ]] && FSP_KVER_SET=1
: "${FSP_KVER:=$(fsp_default_kver)}"
: "${FSP_KERNEL:=/boot/vmlinuz-$FSP_KVER}"
: "${FSP_KMODDIR:=/lib/modules/$FSP_KVER}"
: "${FSP_BIN:=$FSP_REPO/build/fscrypt-provision}"
: "${FSP_QEMU_TIMEOUT:=240}"
[[ ${FSP_QEMU_ACCEL-} ]] && FSP_QEMU_ACCEL_SET=1
: "${FSP_QEMU_ACCEL:=tcg}"
: "${FSP_QEMU_SMP:=2}"
export LC_ALL=C

# Bump to rebuild every cached image after a change this file's hashes miss.
FSP_CACHE_VERSION=1
FSP_QEMU_PASS=85 # isa-debug-exit: (0x2a << 1) | 1
FSP_QEMU_FAIL=43 # isa-debug-exit: (0x15 << 1) | 1

msg() { echo "# $*"; }
err() { echo "# error: $*" >&2; }

# shellcheck source=dist.sh
. "$FSP_QEMU_DIR/dist.sh"

# Debian 13's kernel (6.12) oopses now and then early in boot under QEMU
# 7.2's multi-threaded TCG with two vCPUs ("Oops: int3" in
# sched_clock_cpu: one vCPU runs code that the other has just patched;
# seen in 2 of 3 boots of TEST-60). One TCG thread for both vCPUs does not.
# Debian 12's 6.1 keeps the default. Not when FSP_QEMU_ACCEL is given.
fsp_pick_accel() {
    [[ ${FSP_QEMU_ACCEL_SET-} ]] && return 0
    FSP_QEMU_ACCEL=tcg
    if [[ $(printf '%s\n' 6.12 "${FSP_KVER%%-*}" | sort -V | head -n 1) == 6.12 ]]; then
        FSP_QEMU_ACCEL=tcg,thread=single
    fi
}
fsp_pick_accel

fsp_require_tools() {
    local t missing=()
    [[ $(id -u) == 0 ]] || missing+=("root (loop devices, mount, keys)")
    for t in qemu-system-x86_64 dracut lsinitrd mkfs.ext4 busybox keyctl timeout \
        sha256sum losetup mount cpio flock od systemctl; do
        command -v "$t" > /dev/null 2>&1 || missing+=("$t")
    done
    [[ -x $FSP_BIN ]] || missing+=("$FSP_BIN (run make)")
    [[ -r $FSP_KERNEL ]] || missing+=("$FSP_KERNEL")
    [[ -d $FSP_KMODDIR ]] || missing+=("$FSP_KMODDIR")
    if ((${#missing[@]})); then
        echo "missing: ${missing[*]}"
        return 1
    fi
    return 0
}

# Hash of files and strings, for cache keys.
fsp_hash() {
    local x
    for x in "$@"; do
        if [[ -f $x ]]; then
            printf '%s %s\n' "$x" "$(sha256sum < "$x")"
        elif [[ -d $x ]]; then
            (cd "$x" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
        else
            printf '%s\n' "$x"
        fi
    done | sha256sum | cut -c1-16
}

fsp_cache_init() {
    mkdir -p "$FSP_QEMU_CACHE"
    chmod 0700 "$FSP_QEMU_CACHE"
}

# Keeps the two newest cache entries matching each PATTERN, and any entry
# used in the last two hours (fsp_cache_hit), which a test running beside
# this one may be booting.
fsp_cache_prune() {
    local p x
    for p in "$@"; do
        # shellcheck disable=SC2012,SC2086 # a glob of names without blanks
        ls -1td "$FSP_QEMU_CACHE"/$p 2> /dev/null | tail -n +3 | while read -r x; do
            [[ $(find "$x" -maxdepth 0 -mmin +120) ]] && rm -rf "$x"
        done
    done
    # An entry too young to go is no failure of the caller's build.
    return 0
}

# fsp_cache_hit PATH: true when the cache entry PATH exists; marks it used.
fsp_cache_hit() {
    [[ -e $1 ]] && touch -c -- "$1"
}

# Runs "$@", a function of these files, in a new bash with errexit. bash
# ignores set -e in anything called from a tested context (if, ||, &&),
# and the image builders are always called so; a new shell is not. It gets
# every function and every FSP_ variable.
fsp_strict() {
    local vars
    # shellcheck disable=SC2046 # one word per variable name
    vars=$(declare -p $(compgen -v FSP_))
    bash -e -c "$(declare -f)
$vars
\"\$@\"" fsp_strict "$@"
}

# fsp_cache_build ENTRY GLOB MESSAGE COMMAND...: the cache entry ENTRY,
# reused, or built by COMMAND under its own lock (fsp_build_once) after
# saying MESSAGE; then the older entries of GLOB are pruned.
fsp_cache_build() {
    local entry=$1 glob=$2 m=$3
    shift 3
    fsp_cache_hit "$entry" && return 0
    msg "$m"
    fsp_build_once "$entry" "$@" || return 1
    fsp_locked fsp_cache_prune "$glob"
}

# Runs "$@" under the cache lock, so that concurrent tests do not prune
# or build at once what they share.
fsp_locked() {
    fsp_cache_init
    (
        flock 9
        "$@"
    ) 9> "$FSP_QEMU_CACHE/.lock"
}

# fsp_build_once ENTRY COMMAND...: runs COMMAND, which builds the cache
# entry ENTRY, under ENTRY's own lock, unless ENTRY is there once the lock
# is held (another test built it meanwhile). Tests that build different
# entries build them at the same time.
fsp_build_once() {
    local entry=$1
    shift
    fsp_cache_init
    mkdir -p "$FSP_QEMU_CACHE/locks" || return 1
    (
        flock 9
        fsp_cache_hit "$entry" && exit 0
        "$@"
    ) 9> "$FSP_QEMU_CACHE/locks/${entry##*/}.lock"
}

# A raw key file of 64 random bytes with neither NUL nor newline, so that
# grep -F can look for its bytes; mode 0600.
fsp_make_key() {
    local f=$1 tries=0
    (
        umask 077
        while :; do
            head -c 64 /dev/urandom > "$f"
            [[ $(tr -d '\000\n' < "$f" | wc -c) == 64 ]] && break
            tries=$((tries + 1))
            ((tries < 1000)) || return 1
        done
    )
}

# Writes grep -F patterns for the raw keys: each half of the raw bytes and of
# the hex text (lower and upper case).
fsp_canary_patterns() {
    local k hex
    for k in "$@"; do
        hex=$(od -An -v -tx1 "$k" | tr -d ' \n')
        head -c 32 "$k"
        echo
        tail -c 32 "$k"
        echo
        printf '%s\n%s\n' "${hex:0:64}" "${hex:64:64}"
        printf '%s\n%s\n' "${hex:0:64}" "${hex:64:64}" | tr a-f A-F
    done
}

# fsp_no_raw_key PATTERNS PATH...: 0 when no PATH (a file, or a directory
# searched whole) holds a line of PATTERNS (fsp_canary_patterns); else
# says which do, and 1.
fsp_no_raw_key() {
    local pat=$1 f r=0
    shift
    for f in "$@"; do
        if grep -r -q -a -F -f "$pat" "$f"; then
            err "a raw key appears in $f"
            r=1
        fi
    done
    return $r
}

# c DESCRIPTION COMMAND...: one host-side check of a test that boots
# nothing or checks an image: "ok"/"not ok" under the test's name, its
# output shown on failure, failures counted in FAILS.
FAILS=0
c() {
    local d=$1 out
    shift
    if out=$("$@" 2>&1); then
        msg "ok - $d"
    else
        msg "not ok - $d"
        printf '%s\n' "$out" | sed 's/^/#     /' | tail -n 15
        FAILS=$((FAILS + 1))
    fi
}

# --- assets: keys, tables, root and data images --------------------------

FSP_HOST_RING=""

fsp_host_cleanup() {
    local ring
    if [[ $FSP_HOST_RING ]]; then
        ring=$(keyctl search @u keyring "$FSP_HOST_RING" 2> /dev/null) &&
            keyctl unlink "$ring" @u > /dev/null 2>&1
        FSP_HOST_RING=""
    fi
}

# Mounts IMG on DIR, creates an encrypted directory SUB with KEY, fills it
# with files (PLAINTEXT marks one of them) and writes their sha256 sums to
# SUMS. Uses a private keyring, removed again.
fsp_fill_encrypted() {
    local img=$1 mnt=$2 vol=$3 key=$4 sub=$5 plaintext=$6 sums=$7 id i
    mount -o loop "$img" "$mnt" || return 1
    FSP_HOST_RING=fsp-qemu-$$
    id=$("$FSP_BIN" identifier --key-file "$key") &&
        "$FSP_BIN" add --keyring "$FSP_HOST_RING" --quiet --volume "$vol" \
            --key-file "$key" --add-to "$mnt" &&
        mkdir "$mnt/$sub" &&
        "$FSP_BIN" set-policy "$mnt/$sub" "$id" > /dev/null &&
        (
            cd "$mnt/$sub" || exit 1
            printf '%s\n' "$plaintext: hello from an encrypted directory" > hello.txt
            head -c 300000 /dev/urandom > random.bin
            mkdir -p sub/dir
            for i in 1 2 3; do
                printf 'file %s of %s\n' "$i" "$vol" > "sub/dir/file$i.txt"
            done
            find . -type f | sort | xargs sha256sum > "$sums"
        )
    local r=$?
    umount "$mnt" || r=1
    fsp_host_cleanup
    return $r
}

# Installs each test's guest checks, TEST-*/guest.sh, into DIR as NAME.sh,
# NAME from the file's one line "# fsp-scenario: NAME" (letters, digits,
# "-"), for guest/init.sh to run on fsp.test=NAME. Fails on a file without
# exactly one such line and on a NAME that two files claim.
fsp_install_scenarios() {
    local dir=$1 f name
    local -A owner=()
    mkdir -p "$dir" || return 1
    for f in "$FSP_QEMU_DIR"/TEST-*/guest.sh; do
        [[ -f $f ]] || continue
        name=$(sed -n 's/^# fsp-scenario: *//p' "$f")
        if ! [[ $name =~ ^[a-z0-9-]+$ ]]; then
            err "$f: needs exactly one line '# fsp-scenario: NAME' (NAME of a-z, 0-9, -)"
            return 1
        fi
        if [[ ${owner[$name]-} ]]; then
            err "scenario $name: claimed by both ${owner[$name]} and $f"
            return 1
        fi
        owner[$name]=$f
        install -m 0644 "$f" "$dir/$name.sh" || return 1
    done
}

# fsp_build_assets's steps; run by fsp_strict, so the first failure stops them.
fsp_build_assets_steps() {
    local a=$1 tmp=$2 root=$2/root bin kp root_id data_id wrong_id
    trap fsp_host_cleanup EXIT
    mkdir -m 0700 "$tmp/keys"
    for k in root data wrong; do fsp_make_key "$tmp/keys/$k.key"; done
    kp=$a/keys # where the key files end up (the final asset path)
    root_id=$("$FSP_BIN" identifier --key-file "$tmp/keys/root.key")
    data_id=$("$FSP_BIN" identifier --key-file "$tmp/keys/data.key")
    wrong_id=$("$FSP_BIN" identifier --key-file "$tmp/keys/wrong.key")

    # Slots files: root's with a passphrase and a recovery key,
    # data's with a passphrase, and root2 (root's key, another passphrase)
    # for rd.fscrypt.key=root:slots:PATH. Cheap Argon2id costs, for TCG;
    # the passphrases and the recovery key stay on the host.
    local pbkdf=(--pbkdf-memory 32768 --pbkdf-iterations 1 --quiet)
    printf 'ROOT_PASS=fsp-root-pass\nDATA_PASS=fsp-data-pass\nROOT2_PASS=fsp-root2-pass\n' > "$tmp/passphrases.env"
    "$FSP_BIN" enroll --slots "$tmp/keys/root.slots" --passphrase --key-file "$tmp/keys/root.key" \
        --new-passphrase-fd 3 "${pbkdf[@]}" 3<<< fsp-root-pass
    "$FSP_BIN" enroll --slots "$tmp/keys/root.slots" --recovery-key --unlock-passphrase-fd 3 \
        --quiet 3<<< fsp-root-pass 2> /dev/null > "$tmp/recovery.txt"
    "$FSP_BIN" enroll --slots "$tmp/keys/data.slots" --passphrase --key-file "$tmp/keys/data.key" \
        --new-passphrase-fd 3 "${pbkdf[@]}" 3<<< fsp-data-pass
    mkdir -p "$tmp/initrd-extra"
    "$FSP_BIN" enroll --slots "$tmp/initrd-extra/root2.slots" --passphrase --key-file "$tmp/keys/root.key" \
        --new-passphrase-fd 3 "${pbkdf[@]}" 3<<< fsp-root2-pass
    cat > "$tmp/slots-fscrypttab" <<- EOF
		# The table of the slots initramfs images: no raw key in them.
		root / slots:$kp/root.slots secret initramfs
		data /data slots:$kp/data.slots vault initramfs,nofail,identifier=$data_id
		EOF

    # The table the dracut module reads at build time, also the real
    # root's /etc/fscrypttab.
    cat > "$tmp/fscrypttab" <<- EOF
		# volume mountpoint key-source directories options
		root / $kp/root.key secret initramfs,embed-raw-key
		data /data $kp/data.key vault initramfs,nofail,identifier=$data_id,embed-raw-key
		EOF
    cat > "$tmp/expected.env" <<- EOF
		ROOT_ID=$root_id
		DATA_ID=$data_id
		WRONG_ID=$wrong_id
		ROOT_KEY=$kp/root.key
		DATA_KEY=$kp/data.key
		EOF
    # Extra files for the initramfs (dracut --include ... /etc/fsp-test).
    cp "$tmp/expected.env" "$tmp/initrd-extra/"
    cat > "$tmp/initrd-extra/slots-nofail.tab" <<- EOF
		# The slots initramfs's volumes, root nofail.
		root / slots:$kp/root.slots secret nofail
		data /data slots:$kp/data.slots vault nofail
		EOF
    install -m 0600 "$tmp/keys/wrong.key" "$tmp/initrd-extra/wrong.key"
    cat > "$tmp/initrd-extra/nofail.tab" <<- EOF
		# Like the module's table, but root may fail.
		root / $kp/root.key secret nofail
		data /data $kp/data.key vault nofail
		EOF
		cat > "$tmp/initrd-extra/oldkernel.tab" <<- EOF
		# For kernels without key_id: root falls back to its raw key, data
		# (nofail) cannot be provisioned.
		root / $kp/root.key secret raw-fallback
		data /data $kp/data.key vault nofail
		EOF

    # The data volume.
    truncate -s 32M "$tmp/data.img"
    mkfs.ext4 -q -F -O encrypt -b 4096 -L fspdata "$tmp/data.img"
    mkdir "$tmp/mnt"
    fsp_fill_encrypted "$tmp/data.img" "$tmp/mnt" data "$tmp/keys/data.key" vault \
        FSP-PLAINTEXT-CANARY-DATA "$tmp/vault.sha256"

    # The real root: busybox, the helper, keyctl, the test init.
    mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/lib/fsp-test,etc,proc,sys,dev,run,tmp,data,mnt/stage,root}
    chmod 1777 "$root/tmp"
    install -m 0755 "$(readlink -f "$(command -v busybox)")" "$root/bin/busybox"
    for app in $("$root/bin/busybox" --list); do
        [[ -e $root/bin/$app ]] || ln -s busybox "$root/bin/$app"
    done
    install -m 0755 "$FSP_BIN" "$root/usr/sbin/fscrypt-provision"
    bin=$(command -v keyctl)
    install -m 0755 "$bin" "$root/usr/bin/keyctl"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    install -m 0755 "$FSP_QEMU_DIR/guest/init.sh" "$root/sbin/init"
    install -m 0644 "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" "$root/usr/lib/fsp-test/lib.sh"
    install -m 0644 "$FSP_QEMU_DIR/guest/checks.sh" "$root/usr/lib/fsp-test/checks.sh"
    # "|| exit": set -e is off here, fsp_assets calls this in a || list.
    fsp_install_scenarios "$root/usr/lib/fsp-test/scenarios"
    install -m 0644 "$tmp/expected.env" "$tmp/vault.sha256" "$root/usr/lib/fsp-test/"
    install -m 0644 "$tmp/fscrypttab" "$root/etc/fscrypttab"
    printf 'NAME=fsp-test\nID=fsp-test\nPRETTY_NAME="fscrypt-provision QEMU test root"\n' \
        > "$root/etc/os-release"
    echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
    echo 'root:x:0:' > "$root/etc/group"
    truncate -s 64M "$tmp/root.img"
    mkfs.ext4 -q -F -O encrypt -b 4096 -L fsproot -d "$root" "$tmp/root.img"
    fsp_fill_encrypted "$tmp/root.img" "$tmp/mnt" root "$tmp/keys/root.key" secret \
        FSP-PLAINTEXT-CANARY-ROOT "$tmp/secret.sha256"
    mount -o loop "$tmp/root.img" "$tmp/mnt"
    install -m 0644 "$tmp/secret.sha256" "$tmp/mnt/usr/lib/fsp-test/"
    umount "$tmp/mnt"
    rm -rf "${root:?}" "${tmp:?}/mnt"
}

# fsp_build_into DIR NAME STEPS [dist]: runs "STEPS DIR TMP" (strict; with
# dist, in the distribution root) in a new
# TMP of the cache named NAME.*, and moves TMP to DIR when it succeeds, so
# that a cache entry is whole or absent; a failed one leaves nothing.
fsp_build_into() {
    local dir=$1 tmp r
    tmp=$(mktemp -d "$FSP_QEMU_CACHE/$2.XXXXXX")
    if [[ ${4-} == dist ]]; then
        fsp_in_dist fsp_strict "$3" "$dir" "$tmp"
    else
        fsp_strict "$3" "$dir" "$tmp"
    fi
    r=$?
    if ((r != 0)); then
        mountpoint -q "$tmp/mnt" 2> /dev/null && umount "$tmp/mnt"
        rm -rf "$tmp"
        return $r
    fi
    mv "$tmp" "$dir"
}

fsp_build_assets() {
    # In the distribution root: the test root's busybox, keyctl and C
    # library are then that release's, as is the systemd that TEST-60 adds.
    fsp_build_into "$1" assets fsp_build_assets_steps dist
}

# Builds (or reuses) the images; sets FSP_ASSETS.
fsp_assets() {
    local h
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_BIN" "$FSP_QEMU_DIR/guest" "$FSP_DIST_ID" \
        "$FSP_QEMU_DIR"/TEST-*/guest.sh \
        "$(readlink -f "$(command -v busybox)")" "$(command -v keyctl)" \
        "$(declare -f fsp_build_into fsp_build_assets fsp_build_assets_steps fsp_fill_encrypted fsp_install_scenarios)")
    FSP_ASSETS=$FSP_QEMU_CACHE/assets-$h
    fsp_cache_hit "$FSP_ASSETS" && return 0
    msg "building disk images in $FSP_ASSETS"
    local t0=$SECONDS
    fsp_build_once "$FSP_ASSETS" fsp_build_assets "$FSP_ASSETS" || return 1
    msg "built the disk images in $((SECONDS - t0)) s"
    fsp_locked fsp_cache_prune 'assets-*' 'build-test.*'
}

# --- initramfs -----------------------------------------------------------

FSP_DRACUT_DRIVERS="virtio_blk virtio_pci ext4"

fsp_dracut_modules() {
    case $1 in
        shell) echo "base rootfs-block fscrypt-provision fsp-test" ;;
        systemd) echo "systemd systemd-initrd dracut-systemd base rootfs-block fscrypt-provision fsp-test" ;;
        plymouth) echo "base rootfs-block plymouth fscrypt-provision fsp-test" ;;
    esac
}

# A private copy of dracut's base directory with our modules added, so that
# the host's /usr/lib/dracut stays untouched. The tree's module replaces any
# installed copy (make install, a package): the tests test the tree. Fails
# when any step fails.
fsp_dracut_base() {
    local d=$1 x name
    mkdir -p "$d/modules.d" || return 1
    for x in /usr/lib/dracut/*; do
        [[ ${x##*/} == modules.d ]] || ln -s "$x" "$d/" || return 1
    done
    for x in /usr/lib/dracut/modules.d/*; do
        name=${x##*/}
        # Whatever its number, an installed fscrypt-provision (or test)
        # module would be a second module of the same name.
        [[ ${name:2} == fscrypt-provision || ${name:2} == fsp-test ]] && continue
        ln -s "$x" "$d/modules.d/" || return 1
    done
    # FSP_DRACUT_EXTRA_MODULES: more module directories (bench-boot's).
    # FSP_DRACUT_MODULE: our module from elsewhere (TEST-08: a package's).
    for x in "${FSP_DRACUT_MODULE:-$FSP_REPO/dracut-module/50fscrypt-provision}" \
        "$FSP_QEMU_DIR/modules.d/59fsp-test" ${FSP_DRACUT_EXTRA_MODULES:-}; do
        cp -r "$x" "$d/modules.d/" || return 1
    done
}

# A new asset directory OUT shaped like FSP_ASSETS: a copy of the tests' root
# image whose /sbin/init is the text INIT, with links to the data disk and
# keys; TABLE (optional) becomes OUT/fscrypttab. Used by the demo and the
# boot benchmark, which boot the same root with their own init.
fsp_assets_with_init() {
    local out=$1 init=$2 table=${3-} tmp r=0
    tmp=$(mktemp -d "$FSP_QEMU_CACHE/assets-tmp.XXXXXX")
    cp --sparse=always "$FSP_ASSETS/root.img" "$tmp/root.img" && mkdir "$tmp/mnt" &&
        mount -o loop "$tmp/root.img" "$tmp/mnt" || r=1
    if ((r == 0)); then
        printf '%s' "$init" > "$tmp/mnt/sbin/init" && chmod 0755 "$tmp/mnt/sbin/init" || r=1
        umount "$tmp/mnt" || r=1
    fi
    if ((r == 0)); then
        rmdir "$tmp/mnt"
        ln -s "$FSP_ASSETS/data.img" "$tmp/data.img"
        ln -s "$FSP_ASSETS/keys" "$tmp/keys"
        if [[ $table ]]; then printf '%s\n' "$table" > "$tmp/fscrypttab" || r=1; fi
    fi
    if ((r == 0)); then
        mv "$tmp" "$out" && return 0
    fi
    mountpoint -q "$tmp/mnt" && umount "$tmp/mnt"
    rm -rf "$tmp"
    return 1
}

# fsp_dracut OUT LOG TABLE [dracut args]: runs dracut with our private
# module dir and the options every image of the tests shares; its log goes
# to LOG, or is dropped on success when LOG is empty.
fsp_dracut() {
    local out=$1 log=$2 table=$3 tmp r
    shift 3
    tmp=$(mktemp -d "$FSP_QEMU_CACHE/dracut.XXXXXX")
    [[ $log ]] || log=$tmp/dracut.log
    if ! fsp_in_dist fsp_dracut_base "$tmp/base" || ! mkdir "$tmp/confdir" "$tmp/work"; then
        err "cannot set up dracut's private base directory in $tmp"
        rm -rf "$tmp"
        return 1
    fi
    # -u DRACUT_EXTRA_ARGS: dracut-ng 111 adds it to every run; the caller's
    # must not reach the tests' images.
    fsp_in_dist env -u DRACUT_EXTRA_ARGS dracutbasedir="$tmp/base" fscrypttab="$table" \
        FSCRYPT_PROVISION_BIN="$FSP_BIN" FSP_TEST_GUEST_DIR="$FSP_QEMU_DIR/guest" \
        dracut --force --no-hostonly-cmdline --no-early-microcode \
        --no-compress --conf /dev/null --confdir "$tmp/confdir" --tmpdir "$tmp/work" \
        --kver "$FSP_KVER" --kmoddir "$FSP_KMODDIR" --add-drivers "$FSP_DRACUT_DRIVERS" \
        "$@" "$tmp/initrd.img" > "$log" 2>&1
    r=$?
    if ((r != 0)) || [[ ! -s $tmp/initrd.img ]]; then
        err "dracut $* failed ($r):"
        sed 's/^/#   /' "$log" | tail -n 30
        rm -rf "$tmp"
        return 1
    fi
    mv "$tmp/initrd.img" "$out"
    rm -rf "$tmp"
}

# A generic (non-host-only) image with exactly MODULES: OUT TABLE MODULES
# [dracut args].
fsp_run_dracut() {
    local out=$1 table=$2 mods=$3
    shift 3
    fsp_dracut "$out" "" "$table" --quiet --no-hostonly -m "$mods" "$@"
}

fsp_build_initrd() {
    fsp_run_dracut "$2" "$FSP_ASSETS/${3:-fscrypttab}" "$(fsp_dracut_modules "$1")" \
        --include "$FSP_ASSETS/initrd-extra" /etc/fsp-test
}

# Builds (or reuses) the initramfs for MODE (shell or systemd) from the
# assets' TABLE (fscrypttab: raw keys embedded; slots-fscrypttab: slots
# files only); sets FSP_INITRD.
fsp_initrd() {
    local mode=$1 table=${2:-fscrypttab} h t0 kind
    kind=$mode${2:+-slots}${FSP_DIST_SUFFIX-}
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$mode" "$FSP_KVER" "kmoddir:$FSP_KMODDIR" "$FSP_DIST_ID" \
        "$(fsp_in_dist dracut --version 2>&1)" \
        "$FSP_BIN" "$FSP_ASSETS/keys" "$FSP_ASSETS/initrd-extra" "$FSP_ASSETS/$table" \
        "$FSP_REPO/dracut-module/50fscrypt-provision" "${FSP_BIN%/*}/fscrypt-provision-lib.sh" \
        "$FSP_QEMU_DIR/modules.d/59fsp-test" "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" \
        "$(fsp_dracut_modules "$mode")" "$FSP_DRACUT_DRIVERS" \
        "$(declare -f fsp_build_initrd fsp_run_dracut fsp_dracut fsp_dracut_base)")
    FSP_INITRD=$FSP_QEMU_CACHE/initrd-$kind-$h.img
    fsp_cache_hit "$FSP_INITRD" && return 0
    msg "building the $kind initramfs"
    t0=$SECONDS
    fsp_build_once "$FSP_INITRD" fsp_build_initrd "$mode" "$FSP_INITRD" "$table" || return 1
    msg "built $FSP_INITRD in $((SECONDS - t0)) s"
    fsp_locked fsp_cache_prune "initrd-$kind-[0-9a-f]*.img"
}

# --- minimal test kernels (the release's linux-source) ------------------

# Builds (or reuses) the two minimal kernels of kernel-patches/test-only
# (about 10 minutes the first time, nothing when cached) and points the
# boot and the initramfs at one of them: fsp_test_kernel unpatched|test-only.
fsp_test_kernel() {
    local env t0=$SECONDS
    env=$("$FSP_REPO/kernel-patches/test-only/build.sh" --print-env) || return 1
    eval "$env"
    ((SECONDS - t0 > 5)) && msg "test kernels ready in $((SECONDS - t0)) s"
    case $1 in
        unpatched) FSP_KERNEL=$FSP_TK_UNPATCHED ;;
        test-only) FSP_KERNEL=$FSP_TK_TESTONLY ;;
        *) return 1 ;;
    esac
    FSP_KVER=$FSP_TK_KVER
    FSP_KMODDIR=$FSP_TK_KMODDIR
    msg "kernel: $1 $FSP_KVER ($FSP_KERNEL)"
}

# fsp_verify_kernel patched|unpatched: kernel-patches/verify.sh, the
# kernel-interface scenarios in a busybox initramfs, on FSP_KERNEL.
fsp_verify_kernel() {
    local r
    FSP_RUN=$FSP_QEMU_CACHE/runs/$TEST_NAME
    rm -rf "$FSP_RUN"
    mkdir -p "$FSP_RUN"
    "$FSP_REPO/kernel-patches/verify.sh" --expect "$1" --helper "$FSP_BIN" \
        --work "$FSP_RUN" --timeout "$FSP_QEMU_TIMEOUT" "$FSP_KERNEL" 2>&1 | sed 's/^/#   /'
    r=${PIPESTATUS[0]}
    ((r == 0)) || err "verify.sh --expect $1 exited $r"
    return "$r"
}

# --- boot and verdict ----------------------------------------------------

# fsp_run_dir RUN: the work directory of the boot RUN; another release's
# says so in its name.
fsp_run_dir() {
    echo "$FSP_QEMU_CACHE/runs/$1${FSP_DIST_SUFFIX-}"
}

# fsp_run_begin RUN: the work directory runs/RUN afresh, with a marker
# disk; sets FSP_RUN, and FSP_SERIAL, QEMU's console options: a file, or
# with FSP_ANSWERS (a file of lines to type at the console's passphrase
# prompts) a socket that type-answers.py, started here, reads.
fsp_run_begin() {
    FSP_RUN=$(fsp_run_dir "$1")
    rm -rf "$FSP_RUN"
    mkdir -p "$FSP_RUN"
    truncate -s "${FSP_MARKER_SIZE:-64M}" "$FSP_RUN/marker.img"
    FSP_SERIAL=(-serial "file:$FSP_RUN/console.log") FSP_TYPIST=
    if [[ ${FSP_ANSWERS-} ]]; then
        FSP_SERIAL=(-chardev "socket,id=con,path=$FSP_RUN/console.sock,server=on,wait=off,logfile=$FSP_RUN/console.log"
            -serial chardev:con)
        "$FSP_QEMU_DIR/type-answers.py" "$FSP_RUN/console.sock" \
            "${FSP_PROMPT:-for fscrypt volume [a-z]+:+}" "$FSP_ANSWERS" 2> "$FSP_RUN/typist.log" &
        FSP_TYPIST=$!
    fi
}

# fsp_run_end: after QEMU, the typist stopped and what it did shown.
fsp_run_end() {
    if [[ $FSP_TYPIST ]]; then
        kill "$FSP_TYPIST" 2> /dev/null
        wait "$FSP_TYPIST" 2> /dev/null
        msg "$(cat "$FSP_RUN/typist.log")"
    fi
}

# fsp_qemu_stalled: the boot timed out with nothing at all on the console:
# the guest never reached its kernel's first line. TCG stalled so at start
# once on a loaded machine (TEST-83, beside another boot), which says
# nothing of the code under test; the boots then try once more, and say so.
fsp_qemu_stalled() {
    [[ $FSP_QEMU_RC == 124 || $FSP_QEMU_RC == 137 ]] && [[ ! -s $FSP_RUN/console.log ]] || return 1
    msg "QEMU printed nothing in $FSP_BOOT_SECONDS s (a stalled start, before the kernel): booting again"
}

# fsp_qemu RUN CMDLINE [QEMU disk options]: boots FSP_KERNEL and FSP_INITRD
# with the given disks (the first is the root, /dev/vda), then a fresh
# marker disk (FSP_MARKER_SIZE, default 64M: room for the guest's dump) and
# isa-debug-exit, in the work directory runs/RUN; sets
# FSP_RUN (with console.log and marker.img), FSP_QEMU_RC and
# FSP_BOOT_SECONDS.
fsp_qemu() {
    local run=$1 cmdline=$2 try
    shift 2
    for try in 1 2; do
        fsp_qemu_once "$run" "$cmdline" "$@"
        ((try == 1)) && fsp_qemu_stalled || break
    done
}

fsp_qemu_once() {
    local cmdline=$2 t0
    fsp_run_begin "$1"
    shift 2
    t0=$SECONDS
    timeout -k 10 "$FSP_QEMU_TIMEOUT" qemu-system-x86_64 \
        -nodefaults -no-reboot -display none -monitor none \
        -accel "$FSP_QEMU_ACCEL" -cpu max -smp "$FSP_QEMU_SMP" -m 768 \
        "${FSP_SERIAL[@]}" \
        -kernel "$FSP_KERNEL" -initrd "$FSP_INITRD" \
        -append "${FSP_QEMU_APPEND:-console=ttyS0 root=/dev/vda rootfstype=ext4 ro panic=-1 rd.shell=0 rd.info quiet init=/sbin/init} $cmdline" \
        "$@" \
        -drive "file=$FSP_RUN/marker.img,format=raw,if=none,id=marker,cache=unsafe" \
        -device virtio-blk-pci,drive=marker,serial=fspmarker \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        > "$FSP_RUN/qemu.log" 2>&1
    FSP_QEMU_RC=$?
    FSP_BOOT_SECONDS=$((SECONDS - t0))
    fsp_run_end
}

# fsp_answers ANSWER...: the lines the next boots type at the console's
# prompts (FSP_ANSWERS, a file, so that they are in no command line);
# fsp_answers with none stops typing.
fsp_answers() {
    [[ ${FSP_ANSWERS-} ]] && rm -f "$FSP_ANSWERS"
    FSP_ANSWERS=
    (($#)) || return 0
    FSP_ANSWERS=$(mktemp "$FSP_QEMU_CACHE/answers.XXXXXX") && printf '%s\n' "$@" > "$FSP_ANSWERS"
}

# fsp_boot MODE CMDLINE...: boots the VM with the test root and the data
# disk (see fsp_qemu).
fsp_boot() {
    local mode=$1
    shift
    fsp_qemu "$TEST_NAME" "fsp.mode=$mode $*" \
        -drive "file=$FSP_ASSETS/root.img,format=raw,if=none,id=root,snapshot=on" \
        -device virtio-blk-pci,drive=root,serial=fsproot \
        -drive "file=$FSP_ASSETS/data.img,format=raw,if=none,id=data,snapshot=on" \
        -device virtio-blk-pci,drive=data,serial=fspdata
    msg "boot took $FSP_BOOT_SECONDS s, QEMU exit code $FSP_QEMU_RC"
}

# The guest's log from the marker disk.
fsp_marker_log() {
    head -c 1048576 "$FSP_RUN/marker.img" | tr -d '\000' |
        sed -n '/^FSP-MARKER-BEGIN$/,/^FSP-MARKER-END$/p'
}

fsp_show_console() {
    msg "last lines of $FSP_RUN/console.log:"
    tr -d '\r' < "$FSP_RUN/console.log" | tail -n 40 | sed 's/^/#   /'
}

# Passes when QEMU left through isa-debug-exit with the pass code and the
# marker says PASS with no failed check.
fsp_expect_pass() {
    local log
    log=$(fsp_marker_log)
    printf '%s\n' "$log" | grep -v '^FSP-MARKER' | sed 's/^/#   /'
    case $FSP_QEMU_RC in
        "$FSP_QEMU_PASS") ;;
        "$FSP_QEMU_FAIL") err "the guest reported failure" ;;
        124 | 137) err "QEMU timed out after $FSP_QEMU_TIMEOUT s" ;;
        *) err "QEMU exited $FSP_QEMU_RC without a verdict (panic, poweroff or crash)" ;;
    esac
    if [[ $FSP_QEMU_RC == "$FSP_QEMU_PASS" ]] && grep -q '^RESULT PASS' <<< "$log" &&
        ! grep -q '^not ok' <<< "$log" && grep -q '^ok' <<< "$log"; then
        return 0
    fi
    [[ $log ]] || err "no verdict on the marker disk"
    fsp_show_console
    return 1
}

# fsp_build_id FILE: FILE's GNU build ID. dracut strips the binaries it
# installs; stripping keeps the build ID, which tells two builds apart.
fsp_build_id() {
    readelf -n "$1" | sed -n 's/^ *Build ID: //p'
}

# fsp_slots_verdict LABEL: after a boot that typed at slots prompts, the
# guest's verdict and the canary scan, and the Argon2id times the boot
# logged.
fsp_slots_verdict() {
    local r
    fsp_expect_pass && fsp_scan_canary
    r=$?
    grep -a -o 'Argon2id with [^;]*ms' "$FSP_RUN/console.log" | head -n 3 |
        sed "s/^/#   at boot ($1): /"
    return $r
}

# fsp_scan_canary PLAINTEXT...: the raw keys (raw and hex; the assets'
# and those of the array FSP_CANARY_KEYS) must appear nowhere in what the
# guest dumped (process command lines, environments and memory, kernel log,
# every file) nor on the console; each PLAINTEXT must appear in the dump,
# which proves the dump covered the unlocked files.
# shellcheck disable=SC2120 # the plaintexts are optional
fsp_scan_canary() {
    local pat=$FSP_RUN/canary.pat p r=0 hits k keys=()
    # The assets' keys that exist (an arm64 board's root is not encrypted).
    for k in "$FSP_ASSETS/keys/root.key" "$FSP_ASSETS/keys/data.key"; do
        [[ -e $k ]] && keys+=("$k")
    done
    keys+=(${FSP_CANARY_KEYS[@]+"${FSP_CANARY_KEYS[@]}"})
    fsp_canary_patterns "${keys[@]}" > "$pat"
    # Positive control: the patterns do find the key files themselves.
    if ! grep -q -a -F -f "$pat" "${keys[0]}"; then
        err "canary self-test: the patterns miss the key file itself"
        r=1
    fi
    if ! od -An -v -tx1 "${keys[-1]}" | tr -d ' \n' | grep -q -F -f "$pat"; then
        err "canary self-test: the patterns miss the hex key"
        r=1
    fi
    for p in "$@"; do
        if ! tail -c +1048577 "$FSP_RUN/marker.img" | grep -q -a -F "$p"; then
            err "the guest's dump lacks $p: it did not cover the unlocked files"
            r=1
        fi
    done
    for f in marker.img console.log; do
        hits=$(grep -c -a -F -f "$pat" "$FSP_RUN/$f")
        if [[ $hits != 0 ]]; then
            err "a raw key appears in $f ($hits lines)"
            r=1
        fi
    done
    msg "canary scan: $(du -h --apparent-size "$FSP_RUN/marker.img" | cut -f1) marker (dump $(tail -c +1048577 "$FSP_RUN/marker.img" | tr -d '\000' | wc -c) non-NUL bytes), console log: $([[ $r == 0 ]] && echo clean || echo FAILED)"
    rm -f "$pat"
    return $r
}

# --- driver --------------------------------------------------------------

fsp_test_main() {
    local t0=$SECONDS reason r
    local label
    TEST_NAME=$(basename "$(cd "$(dirname "$0")" && pwd)")
    export TEST_NAME
    fsp_cache_init
    label=$TEST_NAME
    if ! fsp_dist_init; then
        echo "not ok - $label # cannot run: no $FSP_QEMU_DIST distribution root"
        return 1
    fi
    # Another release's run says so in its name.
    [[ $FSP_DIST_ROOT ]] && label="$TEST_NAME [$FSP_DIST]"
    if ! reason=$(test_check 2>&1); then
        echo "not ok - $label # cannot run: $reason"
        return 1
    fi
    if ! test_setup; then
        echo "not ok - $label # setup failed"
        return 1
    fi
    test_run
    r=$?
    if ((r == 0)); then
        echo "ok - $label ($((SECONDS - t0)) s) - $TEST_DESCRIPTION"
        [[ ${FSP_QEMU_KEEP-} ]] || rm -f "$FSP_RUN/marker.img"
    else
        echo "not ok - $label ($((SECONDS - t0)) s) - $TEST_DESCRIPTION; logs in ${FSP_RUN:-?}"
    fi
    return $r
}

# --- host-only initramfs (TEST-15) ---------------------------------------

# fsp_run_dracut_hostonly OUT TABLE [dracut args]: builds OUT the way a user's
# `dracut --hostonly` does: dracut chooses the modules itself (no -m, no
# -a fscrypt-provision), so 50fscrypt-provision comes in only through its
# check(), because TABLE has "initramfs" lines. The guest's disk and root
# filesystem drivers come in through --add-drivers, which dracut installs in
# host-only mode too; root= is on the tests' command line
# (--no-hostonly-cmdline). dracut's log goes to OUT.log. Not cached: what a
# host-only image holds depends on the host (its mounts, packages and loaded
# modules), so the test builds it afresh.
fsp_run_dracut_hostonly() {
    local out=$1 table=$2 r run_mounted=
    shift 2
    # dracut turns host-only mode off when /sys, /proc, /run or /dev is not
    # a mount, and a bare chroot (such as the fresh Debian root in which
    # the README's commands are checked) has no /run of its own. There, an
    # empty tmpfs is mounted on /run for the build and unmounted after it;
    # a real system always has /run mounted and is not touched. (A private
    # mount namespace would be cleaner, but a chroot's root is no mount, so
    # unshare cannot make its propagation private.)
    if ! findmnt --target /run > /dev/null 2>&1; then
        msg "/run is not a mount (a chroot?): a tmpfs on /run for dracut's host-only mode"
        mount -t tmpfs -o mode=0755 tmpfs /run || return 1
        run_mounted=1
    fi
    fsp_dracut "$out" "$out.log" "$table" --hostonly "$@"
    r=$?
    if [[ $run_mounted ]]; then umount /run || r=1; fi
    return $r
}

# The dracut modules in initramfs IMAGE, one per line.
fsp_initrd_modules() {
    lsinitrd -f usr/lib/dracut/modules.txt "$1" 2> /dev/null
}

# --- f2fs data volume (TEST-25) ------------------------------------------

# The f2fs data image of TEST-25: like data.img, a volume whose vault/ is
# encrypted with data's key and holds known files, but on f2fs. Debian's
# kernel has f2fs as a module; the guest loads it as a Debian system does:
# mount(2) makes the kernel run /sbin/modprobe fs-f2fs, and kmod's modprobe
# finds it in the real root's /lib/modules. So the test's root is a copy of
# the tests' root with f2fs, its dependencies and kmod added
# (fsp_root_add_kmods). The host's kernel may lack f2fs (the test machine's
# has neither f2fs nor module loading), so the guest's kernel fills the image
# in a one-off boot of the shell initramfs with rd.fscrypt=0, whose real root
# is a small ext4 seed image holding busybox, kmod and f2fs, the helper,
# data's key, the files and guest/f2fs-fill.sh as /sbin/init. The files and
# their sums are made on the host; the sums also go on the volume,
# unencrypted, as /vault.sha256. The seed image (raw key, plaintext) is
# deleted afterwards.
FSP_F2FS_SIZE=64M # mkfs.f2fs refuses 40 MiB

# fsp_root_add_kmods DIR MODULE...: installs the kernel modules (with the
# dependencies modules.dep lists) from FSP_KMODDIR into the root tree DIR as
# /lib/modules/$FSP_KVER, runs depmod there, and installs kmod as
# /sbin/modprobe with its libraries.
fsp_root_add_kmods() {
    local dir=$1 m f lib kmod dst
    shift
    dst=$dir/lib/modules/$FSP_KVER
    mkdir -p "$dst"
    for m in "$@"; do
        f=$(grep -E -m1 "(^|/)$m\.ko(\.[a-z]+)?:" "$FSP_KMODDIR/modules.dep") || {
            err "no module $m in $FSP_KMODDIR"
            return 1
        }
        for f in ${f/:/}; do
            install -D -m 0644 "$FSP_KMODDIR/$f" "$dst/$f" || return 1
        done
    done
    cp "$FSP_KMODDIR"/modules.builtin* "$FSP_KMODDIR/modules.order" "$dst/" &&
        depmod -b "$dir" "$FSP_KVER" || return 1
    kmod=$(readlink -f "$(command -v kmod)")
    install -D -m 0755 "$kmod" "$dir/usr/bin/kmod" || return 1
    for lib in $(ldd "$kmod" | grep -o '/[^ ]*'); do
        install -D -m 0755 "$lib" "$dir$lib" || return 1
    done
    mkdir -p "$dir/sbin"
    ln -sf /usr/bin/kmod "$dir/sbin/modprobe"
}

# fsp_f2fs_fill_boot DIR: boots DIR/seed.img as the real root with
# DIR/data.img (written) and a marker disk; passes like fsp_expect_pass.
fsp_f2fs_fill_boot() {
    local dir=$1
    fsp_qemu "${TEST_NAME:-f2fs}-fill" rd.fscrypt=0 \
        -drive "file=$dir/seed.img,format=raw,if=none,id=seed,snapshot=on" \
        -device virtio-blk-pci,drive=seed,serial=fspseed \
        -drive "file=$dir/data.img,format=raw,if=none,id=f2fs" \
        -device virtio-blk-pci,drive=f2fs,serial=fspf2fs
    msg "f2fs fill boot took $FSP_BOOT_SECONDS s, QEMU exit code $FSP_QEMU_RC"
    if ! fsp_expect_pass; then
        err "filling the f2fs image failed; logs in $FSP_RUN"
        return 1
    fi
    rm -rf "$FSP_RUN"
}

# fsp_f2fs_build's steps; run by fsp_strict, so the first failure stops them.
fsp_f2fs_build_steps() {
    local tmp=$1 seed=$1/seed v
    mkdir -p "$seed"/{bin,sbin,usr/sbin,usr/lib/fsp-test,etc,proc,sys,dev,run,tmp,mnt,seed/vault/sub/dir}
    # The files, as fsp_fill_encrypted writes them, and their sums.
    v=$seed/seed/vault
    printf '%s\n' "FSP-PLAINTEXT-CANARY-F2FS: hello from an encrypted directory" > "$v/hello.txt"
    head -c 300000 /dev/urandom > "$v/random.bin"
    for i in 1 2 3; do
        printf 'file %s of data on f2fs\n' "$i" > "$v/sub/dir/file$i.txt"
    done
    (cd "$v" && find . -type f | sort | xargs sha256sum) > "$tmp/vault.sha256"
    install -m 0644 "$tmp/vault.sha256" "$seed/seed/vault.sha256"
    install -m 0400 "$FSP_ASSETS/keys/data.key" "$seed/seed/data.key"
    install -m 0755 "$(readlink -f "$(command -v busybox)")" "$seed/bin/busybox"
    for app in $("$seed/bin/busybox" --list); do
        [[ -e $seed/bin/$app ]] || ln -s busybox "$seed/bin/$app"
    done
    fsp_root_add_kmods "$seed" f2fs
    install -m 0755 "$FSP_BIN" "$seed/usr/sbin/fscrypt-provision"
    install -m 0755 "$FSP_QEMU_DIR/guest/f2fs-fill.sh" "$seed/sbin/init"
    install -m 0644 "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" "$seed/usr/lib/fsp-test/lib.sh"
    printf 'NAME=fsp-seed\nID=fsp-seed\n' > "$seed/etc/os-release"
    truncate -s 32M "$tmp/seed.img"
    mkfs.ext4 -q -F -b 4096 -L fspseed -d "$seed" "$tmp/seed.img"
    truncate -s "$FSP_F2FS_SIZE" "$tmp/data.img"
    mkfs.f2fs -q -f -O encrypt -l fspdata "$tmp/data.img" > /dev/null
    # The test's root: the tests' root with f2fs and modprobe.
    cp --sparse=always "$FSP_ASSETS/root.img" "$tmp/root.img"
    mkdir "$tmp/mnt"
    mount -o loop "$tmp/root.img" "$tmp/mnt"
    fsp_root_add_kmods "$tmp/mnt" f2fs || { umount "$tmp/mnt" && false; }
    umount "$tmp/mnt"
    rmdir "$tmp/mnt"
}

fsp_f2fs_build() {
    local out=$1 tmp seed r
    tmp=$(mktemp -d "$FSP_QEMU_CACHE/f2fs-tmp.XXXXXX")
    seed=$tmp/seed
    fsp_strict fsp_f2fs_build_steps "$tmp"
    r=$?
    mountpoint -q "$tmp/mnt" 2> /dev/null && umount "$tmp/mnt"
    rm -rf "$seed"
    ((r == 0)) && { fsp_f2fs_fill_boot "$tmp" || r=1; }
    rm -f "$tmp/seed.img"
    if ((r == 0)) && ! fsck.f2fs -f "$tmp/data.img" > "$tmp/fsck.log" 2>&1; then
        err "fsck.f2fs finds the filled image inconsistent:"
        sed 's/^/#   /' "$tmp/fsck.log" | tail -n 20
        r=1
    fi
    if ((r == 0)); then
        # Shaped like FSP_ASSETS for fsp_boot and fsp_scan_canary.
        ln -s "$FSP_ASSETS/keys" "$tmp/keys"
        mv "$tmp" "$out" && return 0
    fi
    rm -rf "$tmp"
    return 1
}

# Builds (or reuses) the f2fs images; needs FSP_ASSETS and the shell
# FSP_INITRD (only to boot the filler: not part of the cache key). Sets
# FSP_F2FS_ASSETS, a directory shaped like FSP_ASSETS: root.img (the tests'
# root with f2fs and modprobe), data.img (f2fs), vault.sha256 (the host's
# sums) and keys.
fsp_f2fs_assets() {
    local h t0=$SECONDS
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "assets:$FSP_ASSETS" "$FSP_KERNEL" "$FSP_KVER" \
        "$FSP_KMODDIR/modules.dep" "$(readlink -f "$(command -v kmod)")" \
        "$FSP_F2FS_SIZE" "$(mkfs.f2fs -V 2>&1)" "$FSP_BIN" "$FSP_QEMU_DIR/guest/f2fs-fill.sh" \
        "$FSP_QEMU_DIR/guest/fsp-test-lib.sh" "$(readlink -f "$(command -v busybox)")" \
        "$(declare -f fsp_f2fs_build fsp_f2fs_build_steps fsp_f2fs_fill_boot fsp_qemu fsp_root_add_kmods)")
    FSP_F2FS_ASSETS=$FSP_QEMU_CACHE/f2fs-$h
    fsp_cache_hit "$FSP_F2FS_ASSETS" && return 0
    msg "building the f2fs images in $FSP_F2FS_ASSETS (a boot of the guest kernel)"
    fsp_build_once "$FSP_F2FS_ASSETS" fsp_f2fs_build "$FSP_F2FS_ASSETS" || return 1
    msg "built the f2fs images in $((SECONDS - t0)) s"
    fsp_locked fsp_cache_prune 'f2fs-*'
}
