# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables it sets are read by lib.sh and the tests
# SPDX-License-Identifier: MIT
# The distribution whose tools the QEMU suite builds and boots with, sourced
# by lib.sh. FSP_QEMU_DIST names a Debian release (bookworm or trixie).
# When it is this machine's own release, the suite uses the machine's
# kernel, dracut, mkinitramfs and systemd, as it always did. For another
# release it uses a distribution root: a Debian root of that release made by
# mmdebstrap, from this machine's apt sources moved to it
# (tools/apt-sources.sh), holding the packages of the `dist` target of
# tools/packages. The images are then built inside that root, by its dracut
# and mkinitramfs, for its kernel, which QEMU boots; a test that needs
# systemd as PID 1 copies that root's systemd.
#
# A distribution root is cached in FSP_QEMU_DIST_CACHE (default
# /var/tmp/fsp-qemu-dist), keyed by the release, its package list and the
# function that builds it, and is only read once built. Commands run in it through fsp_in_dist,
# in a private mount namespace where the root sees the host's /dev, /proc,
# /sys and /tmp, and the tree, the QEMU cache and the distribution root
# itself at the same paths as the host does: every path the suite hands on
# means the same file inside and out.

: "${FSP_QEMU_DIST_CACHE:=/var/tmp/fsp-qemu-dist}"

# This machine's release (the codename of /etc/os-release).
fsp_host_release() {
    # shellcheck source=/dev/null # the machine's own
    (. /etc/os-release 2> /dev/null && echo "${VERSION_CODENAME:-unknown}")
}

# fsp_in_dist COMMAND...: runs COMMAND (a program, or a function of the
# suite, with every FSP_ variable and a test's own T<NN>_ ones) in the
# distribution root, or here when there is none.
fsp_in_dist() {
    [[ ${FSP_DIST_ROOT-} && -z ${FSP_IN_DIST-} ]] || {
        "$@"
        return
    }
    local vars binds=("$FSP_REPO" "$FSP_QEMU_CACHE" "$FSP_DIST_ROOT" /tmp)
    [[ $FSP_BIN == "$FSP_REPO"/* ]] || binds+=("${FSP_BIN%/*}")
    # The suite's variables (FSP_*) and the tests' own (T60_*, ...).
    # shellcheck disable=SC2046 # one word per variable name
    vars=$(declare -p $(compgen -v | grep -E '^(FSP_|T[0-9]+_)'))
    # The new namespace starts as a copy of every mount, those of a test
    # running beside this one included: held here, a loop mount that test
    # unmounts would live on, unwritten, until this command ends. So the
    # root moves into the distribution root (pivot_root), and the old one,
    # with every copy, is let go at once (umount -l). Where pivot_root
    # cannot (a chroot whose / is no mount), a plain chroot.
    # shellcheck disable=SC2016 # expanded by that bash
    unshare --mount --propagation private -- bash -c '
        root=$1 n=$2
        shift 2
        mount --bind "$root" "$root" || exit 125
        for d in dev proc sys; do mount --rbind "/$d" "$root/$d" || exit 125; done
        while ((n > 0)); do
            mkdir -p "$root$1" && mount --bind "$1" "$root$1" || exit 125
            shift
            n=$((n - 1))
        done
        mkdir -p "$root/.fsp-old-root" && cd "$root" || exit 125
        if pivot_root . .fsp-old-root 2> /dev/null; then
            umount -l /.fsp-old-root || exit 125
            exec chroot / "$@"
        fi
        exec chroot "$root" "$@"' fsp_in_dist "$FSP_DIST_ROOT" "${#binds[@]}" "${binds[@]}" \
        /bin/bash -c "$(declare -f)
$vars
FSP_IN_DIST=1
\"\$@\"" fsp_in_dist "$@"
}

# fsp_dist_build OUT RELEASE: makes the distribution root OUT.
fsp_dist_build() {
    local out=$1 release=$2 tmp sources pkgs
    sources=$("$FSP_REPO/tools/apt-sources.sh" "$release") || return 1
    pkgs=$("$FSP_REPO/tools/install-deps.sh" --list --release "$release" dist | paste -s -d,) || return 1
    tmp=$out.tmp
    rm -rf "$tmp"
    # INITRD=No: the kernel's package must not build an initramfs of its own.
    if ! env INITRD=No mmdebstrap --quiet --variant=apt --include="$pkgs" \
        "$release" "$tmp" - <<< "$sources" > "$out.log" 2>&1; then
        err "mmdebstrap $release failed:"
        tail -n 20 "$out.log" | sed 's/^/#   /'
        rm -rf "$tmp"
        return 1
    fi
    rm -f "$tmp"/boot/initrd.img-*
    mv "$tmp" "$out"
}

# Sets FSP_DIST (the release), FSP_DIST_ROOT (empty for this machine's
# own), FSP_DIST_ID (for cache keys), FSP_DIST_SUFFIX (-RELEASE in the
# names of another release's images and run directories, else empty) and, for a distribution root, the
# kernel that the suite boots: FSP_KVER, FSP_KERNEL and FSP_KMODDIR, unless
# set already. Builds the root the first time (about a minute).
fsp_dist_init() {
    local host h k v t0
    host=$(fsp_host_release)
    FSP_DIST=${FSP_QEMU_DIST:-$host}
    FSP_DIST_ROOT=
    FSP_DIST_ID="dist:$FSP_DIST:host"
    FSP_DIST_SUFFIX=
    [[ $FSP_DIST == "$host" ]] && return 0
    case $FSP_DIST in
        bookworm | trixie) ;;
        *)
            err "FSP_QEMU_DIST=$FSP_DIST: the suite knows bookworm and trixie"
            return 1
            ;;
    esac
    h=$(fsp_hash "$FSP_DIST" "$("$FSP_REPO/tools/install-deps.sh" --list --release "$FSP_DIST" dist)" \
        "$(declare -f fsp_dist_build)")
    FSP_DIST_ROOT=$FSP_QEMU_DIST_CACHE/$FSP_DIST-$h
    FSP_DIST_ID="dist:$FSP_DIST:$h"
    FSP_DIST_SUFFIX=-$FSP_DIST
    if [[ ! -d $FSP_DIST_ROOT ]]; then
        msg "building the $FSP_DIST distribution root in $FSP_DIST_ROOT"
        t0=$SECONDS
        mkdir -p "$FSP_QEMU_DIST_CACHE" || return 1
        (
            flock 9
            [[ -d $FSP_DIST_ROOT ]] || fsp_dist_build "$FSP_DIST_ROOT" "$FSP_DIST"
        ) 9> "$FSP_QEMU_DIST_CACHE/.lock" || return 1
        msg "built the $FSP_DIST root in $((SECONDS - t0)) s"
    fi
    touch "$FSP_DIST_ROOT"
    if [[ -z ${FSP_KVER_SET-} ]]; then
        for k in $(printf "%s\n" "$FSP_DIST_ROOT"/boot/vmlinuz-* | sort -rV); do
            v=${k##*/vmlinuz-}
            [[ -d $FSP_DIST_ROOT/lib/modules/$v/kernel ]] || continue
            FSP_KVER=$v
            FSP_KERNEL=$k
            FSP_KMODDIR=$FSP_DIST_ROOT/lib/modules/$v
            break
        done
    fi
    fsp_pick_accel
    return 0
}
