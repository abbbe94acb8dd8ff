# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# A real root with systemd as PID 1, for the tests that need one (TEST-60,
# TEST-62), sourced after lib.sh. It is the assets' root image (busybox, the
# helper, keyctl, the encrypted /secret) grown to 192 MiB, plus the
# release's systemd and udev (the host's, or the distribution root's with
# FSP_QEMU_DIST, copied with dracut-install like dracut's own test roots),
# util-linux mount, the generator, a test's guest units and scripts, and an
# overlay of the test's own files (/etc/fstab, /etc/fscrypttab, ...).

FSP_SDROOT_PACKAGES=(systemd udev libsystemd-shared libsystemd0 libudev1)
# FSP_SDROOT_GENERATOR: another generator to test (to see a test fail).
FSP_SDROOT_GENERATOR=${FSP_SDROOT_GENERATOR:-$FSP_REPO/hooks/systemd/fscrypt-provision-generator}

# test_check's part: what the build needs, in the distribution root.
fsp_sdroot_check() {
    local t missing=()
    for t in dpkg-query resize2fs e2fsck /usr/lib/dracut/dracut-install /usr/bin/mount /usr/bin/umount; do
        fsp_in_dist command -v "$t" > /dev/null 2>&1 || missing+=("$t")
    done
    fsp_in_dist dpkg-query -W "${FSP_SDROOT_PACKAGES[@]}" > /dev/null 2>&1 ||
        missing+=("packages ${FSP_SDROOT_PACKAGES[*]}")
    [[ -r $FSP_SDROOT_GENERATOR ]] || missing+=("$FSP_SDROOT_GENERATOR")
    if ((${#missing[@]})); then
        echo "missing: ${missing[*]}"
        return 1
    fi
}

# The files of the systemd packages, without documentation.
fsp_sdroot_package_files() {
    local f
    dpkg -L "${FSP_SDROOT_PACKAGES[@]}" | grep -v -E '^/usr/share/(doc|man|locale|bash-completion|zsh|lintian|polkit-1|dbus-1)/' |
        while IFS= read -r f; do
            [[ -f $f || -L $f ]] && printf '%s\n' "$f"
        done
}

# fsp_sdroot_build OUT GUEST OVERLAY [SRC:DST...]: the root image OUT; the
# units (*.service, *.target) of sdroot-guest (the boot target, its check
# service, an emergency.service that reports failure) and of GUEST go to
# /etc/systemd/system and their scripts (*.sh; GUEST's check.sh is the
# checks) to /usr/lib/fsp-test, the tree OVERLAY over the root, and
# each program SRC to DST with its libraries. Run in the distribution root
# (fsp_in_dist), whose packages it copies.
fsp_sdroot_build() {
    local out=$1 guest=$2 overlay=$3 tmp r rc sd
    shift 3
    tmp=$(mktemp -d "$FSP_QEMU_CACHE/sdroot.XXXXXX")
    r=$tmp/mnt
    # Where this release's systemd is, and so where it reads generators:
    # /lib/systemd on bookworm, /usr/lib/systemd on trixie (this test root
    # has no merged /usr to make them one).
    sd=$(dpkg -L systemd | grep -m 1 -x '.*/systemd/systemd') || return 1
    # Chained with && (set -e would not act here: the function runs in an
    # || list).
    (
        trap 'mountpoint -q "$r" && umount "$r"' EXIT
        cp "$FSP_ASSETS/root.img" "$tmp/root.img" &&
            truncate -s 192M "$tmp/root.img" &&
            e2fsck -f -p "$tmp/root.img" > /dev/null &&
            resize2fs -f "$tmp/root.img" > /dev/null 2>&1 &&
            mkdir "$r" &&
            mount -o loop "$tmp/root.img" "$r" || exit 1
        # shellcheck disable=SC2046 # one path a line, no blanks
        /usr/lib/dracut/dracut-install -D "$r" -a -l -o $(fsp_sdroot_package_files) || exit 1
        # systemd runs util-linux's mount and umount, not busybox's: from
        # /bin on bookworm, from /usr/bin on trixie.
        rm -f "$r/bin/mount" "$r/bin/umount" "$r/sbin/init" &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/mount /bin/mount &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/umount /bin/umount &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/mount /usr/bin/mount &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/umount /usr/bin/umount &&
            ln -s "$sd" "$r/sbin/init" &&
            install -D -m 0755 "$FSP_SDROOT_GENERATOR" "$r${sd%/systemd}/system-generators/fscrypt-provision-generator" &&
            printf 'passwd: files\ngroup: files\nshadow: files\n' > "$r/etc/nsswitch.conf" &&
            echo 0123456789abcdef0123456789abcdef > "$r/etc/machine-id" &&
            systemd-sysusers --root "$r" > /dev/null 2>&1 &&
            mkdir -p "$r/etc/systemd/system" &&
            install -m 0644 "$FSP_QEMU_DIR"/sdroot-guest/*.service "$FSP_QEMU_DIR"/sdroot-guest/*.target \
                "$r/etc/systemd/system/" &&
            install -m 0755 "$FSP_QEMU_DIR"/sdroot-guest/*.sh "$guest"/*.sh "$r/usr/lib/fsp-test/" &&
            { ! compgen -G "$guest/*.service" > /dev/null ||
                install -m 0644 "$guest"/*.service "$r/etc/systemd/system/"; } &&
            cp -R --preserve=mode "$overlay/." "$r/" || exit 1
        for p in "$@"; do
            /usr/lib/dracut/dracut-install -D "$r" -l "${p%%:*}" "${p#*:}" || exit 1
        done
        umount "$r"
    )
    rc=$?
    if ((rc == 0)); then
        mv "$tmp/root.img" "$out"
    fi
    rm -rf "$tmp"
    return $rc
}

# fsp_sdroot GUEST OVERLAY [SRC:DST...]: builds (or reuses) that root; sets
# FSP_SDROOT, a directory like the assets for fsp_boot (root.img, and
# data.img linked from the assets).
fsp_sdroot() {
    local h t0 p progs=()
    for p in "${@:3}"; do progs+=("${p%%:*}"); done
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_ASSETS" "$FSP_SDROOT_GENERATOR" "$FSP_QEMU_DIR/sdroot-guest" \
        "$1" "$2" "${@:3}" "${progs[@]}" \
        "$FSP_DIST_ID" "$(fsp_in_dist dpkg-query -W "${FSP_SDROOT_PACKAGES[@]}" util-linux mount 2>&1)" \
        "$(declare -f fsp_sdroot_build fsp_sdroot_package_files)")
    FSP_SDROOT=$FSP_QEMU_CACHE/sdroot-$h
    [[ -e $FSP_SDROOT/data.img ]] && fsp_cache_hit "$FSP_SDROOT/root.img" && touch "$FSP_SDROOT" && return 0
    msg "building the systemd root image"
    t0=$SECONDS
    mkdir -p "$FSP_SDROOT"
    ln -sfn "$FSP_ASSETS/data.img" "$FSP_SDROOT/data.img"
    fsp_build_once "$FSP_SDROOT/root.img" fsp_in_dist fsp_sdroot_build "$FSP_SDROOT/root.img" "$@" || return 1
    msg "built $FSP_SDROOT/root.img in $((SECONDS - t0)) s"
    fsp_locked fsp_cache_prune 'sdroot-*'
}
