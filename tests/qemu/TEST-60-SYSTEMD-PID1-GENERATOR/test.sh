#!/bin/bash
# SPDX-License-Identifier: MIT
# The systemd part: the release's systemd (252 on bookworm, 257 on trixie:
# the host's, or the distribution root's with FSP_QEMU_DIST, copied with
# dracut-install like dracut's own test roots) is PID 1 in the real root, with
# hooks/systemd/fscrypt-provision-generator installed and an fscrypttab whose
# data volume (second virtio disk, provisioned by the systemd initramfs, an
# fstab mount) must be unlocked by the generated unit: at boot, before
# local-fs.target; after systemctl stop/start of data.mount; after umount +
# mount by hand. A plain service (default KeyringMode=private) unlocks by key
# id without possessing the key. Checks: guest/check.sh.
# fsp-qemu: every-release (run.sh --dist: also with the other Debian release's tools)
TEST_DESCRIPTION="systemd as PID 1: the generator's unit unlocks the data volume at boot and on every mount; KeyringMode=private suffices"

T60_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# FSP_T60_GENERATOR: another generator to test (to see the test fail).
T60_GENERATOR=${FSP_T60_GENERATOR:-$(cd "$T60_DIR/../../.." && pwd)/hooks/systemd/fscrypt-provision-generator}
T60_PACKAGES=(systemd udev libsystemd-shared libsystemd0 libudev1)

test_check() {
    local t missing=()
    fsp_require_tools || return 1
    for t in dpkg-query resize2fs e2fsck /usr/lib/dracut/dracut-install /usr/bin/mount /usr/bin/umount; do
        fsp_in_dist command -v "$t" > /dev/null 2>&1 || missing+=("$t")
    done
    fsp_in_dist dpkg-query -W "${T60_PACKAGES[@]}" > /dev/null 2>&1 || missing+=("packages ${T60_PACKAGES[*]}")
    [[ -r $T60_GENERATOR ]] || missing+=("$T60_GENERATOR")
    if ((${#missing[@]})); then
        echo "missing: ${missing[*]}"
        return 1
    fi
}

# The files of the systemd packages, without documentation.
t60_package_files() {
    local f
    dpkg -L "${T60_PACKAGES[@]}" | grep -v -E '^/usr/share/(doc|man|locale|bash-completion|zsh|lintian|polkit-1|dbus-1)/' |
        while IFS= read -r f; do
            [[ -f $f || -L $f ]] && printf '%s\n' "$f"
        done
}

# t60_build_root OUT: the assets' root image (busybox, the helper, keyctl,
# the encrypted /secret) grown to 192 MiB, plus systemd, udev, the generator,
# util-linux mount, the test units, and an fscrypttab whose data volume is
# not nofail; /sbin/init -> systemd. Run in the distribution root
# (fsp_in_dist), whose packages it copies.
t60_build_root() {
    local out=$1 tmp r rc sd
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
        /usr/lib/dracut/dracut-install -D "$r" -a -l -o $(t60_package_files) || exit 1
        # systemd runs util-linux's mount and umount, not busybox's: from
        # /bin on bookworm, from /usr/bin on trixie.
        rm -f "$r/bin/mount" "$r/bin/umount" "$r/sbin/init" &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/mount /bin/mount &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/umount /bin/umount &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/mount /usr/bin/mount &&
            /usr/lib/dracut/dracut-install -D "$r" -l /usr/bin/umount /usr/bin/umount &&
            ln -s "$sd" "$r/sbin/init" &&
            install -D -m 0755 "$T60_GENERATOR" "$r${sd%/systemd}/system-generators/fscrypt-provision-generator" &&
            printf 'passwd: files\ngroup: files\nshadow: files\n' > "$r/etc/nsswitch.conf" &&
            echo 0123456789abcdef0123456789abcdef > "$r/etc/machine-id" &&
            systemd-sysusers --root "$r" > /dev/null 2>&1 &&
            echo '/dev/vdb /data ext4 defaults 0 0' > "$r/etc/fstab" &&
            sed 's/initramfs,nofail,/initramfs,/' "$FSP_ASSETS/fscrypttab" > "$r/etc/fscrypttab" &&
            grep -q '^data .* initramfs,identifier=' "$r/etc/fscrypttab" &&
            mkdir -p "$r/etc/systemd/system" &&
            install -m 0644 "$T60_DIR"/guest/*.service "$T60_DIR"/guest/*.target "$r/etc/systemd/system/" &&
            install -m 0755 "$T60_DIR"/guest/*.sh "$r/usr/lib/fsp-test/" &&
            umount "$r"
    )
    rc=$?
    if ((rc == 0)); then
        mv "$tmp/root.img" "$out"
    fi
    rm -rf "$tmp"
    return $rc
}

t60_root() {
    local h t0
    h=$(fsp_hash "v$FSP_CACHE_VERSION" "$FSP_ASSETS" "$T60_GENERATOR" "$T60_DIR/guest" "$FSP_DIST_ID" \
        "$(fsp_in_dist dpkg-query -W "${T60_PACKAGES[@]}" util-linux mount 2>&1)" "$(declare -f t60_build_root t60_package_files)")
    # A directory like the assets for fsp_boot: root.img and data.img.
    T60_ROOT=$FSP_QEMU_CACHE/sdroot-$h
    [[ -e $T60_ROOT/data.img ]] && fsp_cache_hit "$T60_ROOT/root.img" && touch "$T60_ROOT" && return 0
    msg "building the systemd root image"
    t0=$SECONDS
    mkdir -p "$T60_ROOT"
    ln -sfn "$FSP_ASSETS/data.img" "$T60_ROOT/data.img"
    fsp_build_once "$T60_ROOT/root.img" fsp_in_dist t60_build_root "$T60_ROOT/root.img" || return 1
    msg "built $T60_ROOT/root.img in $((SECONDS - t0)) s"
    fsp_locked fsp_cache_prune 'sdroot-*'
}

test_setup() {
    fsp_assets && fsp_initrd systemd && t60_root
}

test_run() {
    # fsp_boot boots $FSP_ASSETS/root.img: point it at the systemd root.
    local assets=$FSP_ASSETS
    FSP_ASSETS=$T60_ROOT
    fsp_boot systemd systemd.unit=fsp-test.target systemd.show_status=1
    FSP_ASSETS=$assets
    fsp_expect_pass
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
