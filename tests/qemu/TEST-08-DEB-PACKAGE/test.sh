#!/bin/bash
# SPDX-License-Identifier: MIT
# The Debian package: debian/ builds with dpkg-buildpackage -b,
# lintian (pedantic) reports nothing, and the five packages install into a
# scratch root with exactly the expected files. Their trigger reaches the
# generators' update-initramfs interest (a stand-in package records it, on
# install and on upgrade). An initramfs built from the *installed* package
# (its helper and its dracut module, not the tree's) boots TEST-10's
# scenario. Removing and purging leave nothing of ours in the root.
TEST_DESCRIPTION="Debian package: builds, lintian-clean, installs the expected files, boots TEST-10 from the installed package, purges to nothing"

# Every file and symlink the five packages install (not the -dbgsym ones).
# The generator goes where this release's systemd reads generators:
# /lib/systemd on Debian 12, /usr/lib/systemd on Debian 13.
T08_GENERATORS=$(pkg-config --variable=systemdsystemgeneratordir systemd 2> /dev/null)
EXPECTED=".${T08_GENERATORS:-/lib/systemd/system-generators}/fscrypt-provision-generator
./usr/lib/dracut/modules.d/50fscrypt-provision/fscrypt-provision-emergency.sh
./usr/lib/dracut/modules.d/50fscrypt-provision/fscrypt-provision-initrd.sh
./usr/lib/dracut/modules.d/50fscrypt-provision/fscrypt-provision-pre-pivot.sh
./usr/lib/dracut/modules.d/50fscrypt-provision/fscrypt-provision.service
./usr/lib/dracut/modules.d/50fscrypt-provision/initrd-cleanup-fscrypt-provision.conf
./usr/lib/dracut/modules.d/50fscrypt-provision/module-setup.sh
./usr/lib/fscrypt-provision/fscrypt-provision-lib.sh
./usr/lib/fscrypt-provision/fscrypt-provision-pkcs11
./usr/lib/fscrypt-provision/fscrypt-provision-stage
./usr/lib/fscrypt-provision/fscrypt-provision-tpm2
./usr/lib/fscrypt-provision/hooks/mender/ArtifactCommit_Enter_50_fscrypt-provision
./usr/lib/fscrypt-provision/hooks/mender/ArtifactInstall_Enter_50_fscrypt-provision
./usr/lib/fscrypt-provision/hooks/mender/ArtifactInstall_Leave_50_fscrypt-provision
./usr/lib/fscrypt-provision/hooks/mender/ArtifactRollback_Leave_50_fscrypt-provision
./usr/lib/fscrypt-provision/hooks/rauc/bundle-hook
./usr/lib/fscrypt-provision/hooks/rauc/post-install
./usr/lib/fscrypt-provision/hooks/rauc/pre-install
./usr/lib/fscrypt-provision/hooks/swupdate/fscrypt-provision.lua
./usr/lib/fscrypt-provision/hooks/swupdate/fscrypt-provision.sh
./usr/sbin/fscrypt-provision
./usr/sbin/fscrypt-provision-update
./usr/share/bash-completion/completions/fscrypt-provision
./usr/share/doc/fscrypt-provision-dracut/README.md.gz
./usr/share/doc/fscrypt-provision-dracut/changelog.gz
./usr/share/doc/fscrypt-provision-dracut/copyright
./usr/share/doc/fscrypt-provision-initramfs/README.md.gz
./usr/share/doc/fscrypt-provision-initramfs/changelog.gz
./usr/share/doc/fscrypt-provision-initramfs/copyright
./usr/share/doc/fscrypt-provision-pkcs11/changelog.gz
./usr/share/doc/fscrypt-provision-pkcs11/copyright
./usr/share/doc/fscrypt-provision-tpm2/changelog.gz
./usr/share/doc/fscrypt-provision-tpm2/copyright
./usr/share/doc/fscrypt-provision/README.md.gz
./usr/share/doc/fscrypt-provision/changelog.gz
./usr/share/doc/fscrypt-provision/copyright
./usr/share/doc/fscrypt-provision/embedded.md.gz
./usr/share/doc/fscrypt-provision/existing-directory.md.gz
./usr/share/doc/fscrypt-provision/getting-started.md.gz
./usr/share/doc/fscrypt-provision/glossary.md.gz
./usr/share/doc/fscrypt-provision/hooks.md.gz
./usr/share/doc/fscrypt-provision/install.md.gz
./usr/share/doc/fscrypt-provision/protectors.md.gz
./usr/share/doc/fscrypt-provision/systemd.md.gz
./usr/share/doc/fscrypt-provision/threat-model.md.gz
./usr/share/doc/fscrypt-provision/troubleshooting.md.gz
./usr/share/doc/fscrypt-provision/usage.md.gz
./usr/share/doc/fscrypt-provision/without-tpm.md
./usr/share/initramfs-tools/hooks/fscrypt-provision
./usr/share/initramfs-tools/scripts/local-bottom/fscrypt-provision
./usr/share/initramfs-tools/scripts/panic/fscrypt-provision
./usr/share/lintian/overrides/fscrypt-provision
./usr/share/man/man5/fscrypt-slots.5.gz
./usr/share/man/man5/fscrypttab.5.gz
./usr/share/man/man8/fscrypt-provision-update.8.gz
./usr/share/man/man8/fscrypt-provision.8.gz"
PKGS=(fscrypt-provision fscrypt-provision-dracut fscrypt-provision-initramfs fscrypt-provision-tpm2 fscrypt-provision-pkcs11)
W=""

test_check() {
    fsp_require_tools || return 1
    local t
    for t in dpkg-buildpackage dh lintian dpkg-deb readelf; do
        command -v "$t" > /dev/null || { echo "$t is missing (tools/packages)" && return 1; }
    done
}

# The tree's files (tracked, and new ones not ignored), by content only.
t08_tree() {
    (cd "$FSP_REPO" && { git ls-files && git ls-files --others --exclude-standard; } |
        sort -u | while read -r f; do [[ -f $f ]] && printf '%s\n' "$f"; done)
}

# Builds the packages (or reuses them, keyed by the tree's contents) and
# runs lintian on them; sets DEBS.
t08_build() {
    local h tmp src
    h=$(cd "$FSP_REPO" && t08_tree | tar --sort=name --mtime=@0 --owner=0 --group=0 \
        --numeric-owner -cf - -T - | sha256sum | cut -c1-16)
    DEBS=$FSP_QEMU_CACHE/deb-$h
    [[ -f $DEBS/lintian.txt ]] && return 0
    msg "building the Debian packages (dpkg-buildpackage -us -uc -b)"
    tmp=$(mktemp -d "$FSP_QEMU_CACHE/deb-tmp.XXXXXX")
    src=$tmp/fscrypt-provision-0.1.0
    mkdir "$src" && (cd "$FSP_REPO" && t08_tree | tar -cf - -T -) | tar -C "$src" -xf - || return 1
    # The unit tests run in make check; here the build is what is tested.
    if ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) > "$tmp/build.log" 2>&1; then
        err "dpkg-buildpackage failed:"
        tail -n 30 "$tmp/build.log" | sed 's/^/#   /'
        rm -rf "$tmp"
        return 1
    fi
    lintian --pedantic "$tmp"/*.changes 2>&1 | grep -v 'root privileges is not recommended' > "$tmp/lintian.txt"
    echo "lintian exit ${PIPESTATUS[0]}" >> "$tmp/lintian.txt"
    mkdir "$tmp/out" && mv "$tmp"/*.deb "$tmp/build.log" "$tmp/lintian.txt" "$tmp/out/" &&
        mv "$tmp/out" "$DEBS" && rm -rf "$tmp" && fsp_cache_prune 'deb-[0-9a-f]*'
}

t08_dpkg() { # dpkg in the scratch root, its scripts run with DPKG_ROOT set
    dpkg --root="$R" --log=/dev/null --force-script-chrootless "$@"
}

# A stand-in for initramfs-tools and dracut: it is interested in the
# update-initramfs trigger, as they are, and records each time it fires.
t08_generator_pkg() {
    local d=$W/fake-generator
    mkdir -p "$d/DEBIAN"
    cat > "$d/DEBIAN/control" <<- EOF
		Package: fsp-test-initramfs-generator
		Version: 1
		Architecture: all
		Maintainer: fscrypt-provision tests <fscrypt-provision@example.org>
		Description: records the update-initramfs trigger
		EOF
    echo 'interest-noawait update-initramfs' > "$d/DEBIAN/triggers"
    cat > "$d/DEBIAN/postinst" <<- 'EOF'
		#!/bin/sh
		[ "$1" = triggered ] && echo "$2" >> "$DPKG_ROOT/var/lib/fsp-test-triggered"
		exit 0
		EOF
    chmod 0755 "$d/DEBIAN/postinst"
    dpkg-deb --root-owner-group -b "$d" "$W/fake-generator.deb" > /dev/null
}

test_setup() {
    fsp_assets && t08_build || return 1
    W=$(mktemp -d "$FSP_QEMU_CACHE/deb-test.XXXXXX") || return 1
    R=$W/root
    mkdir -p "$R"/var/lib/dpkg/{info,updates,triggers} && touch "$R"/var/lib/dpkg/{status,available} &&
        t08_generator_pkg && t08_dpkg -i "$W/fake-generator.deb" > /dev/null || return 1
    # The scratch root has no libc or dracut: the dependencies are not
    # what this checks.
    t08_dpkg --force-depends -i "$DEBS"/fscrypt-provision{,-dracut,-initramfs}_*.deb \
        "$DEBS"/fscrypt-provision-tpm2_*.deb "$DEBS"/fscrypt-provision-pkcs11_*.deb > "$W/install.log" 2>&1 || return 1
    # Built from the installed package: its helper, its module.
    FSP_INITRD=$W/initrd.img
    FSP_BIN=$R/usr/sbin/fscrypt-provision \
        FSP_DRACUT_MODULE=$R/usr/lib/dracut/modules.d/50fscrypt-provision \
        fsp_build_initrd shell "$FSP_INITRD"
}

t08_files() {
    diff <(printf '%s\n' "$EXPECTED" | sort) <(cd "$R" && find . -path ./var -prune -o ! -type d -print | sort)
}

# The image's helper is the package's (by build ID: dracut strips), and
# not the tree's, which is another build.
t08_image_helper() {
    local img
    lsinitrd -f usr/sbin/fscrypt-provision "$FSP_INITRD" > "$W/image-helper" 2> /dev/null
    img=$(fsp_build_id "$W/image-helper")
    echo "image ${img:-none}, package $(fsp_build_id "$R/usr/sbin/fscrypt-provision"), tree $(fsp_build_id "$FSP_BIN")"
    [[ $img && $img == "$(fsp_build_id "$R/usr/sbin/fscrypt-provision")" && $img != "$(fsp_build_id "$FSP_BIN")" ]]
}

t08_left() { # nothing of ours in the root but dpkg's own database
    local left
    left=$(cd "$R" && find . -mindepth 1 ! -path './var*')
    echo "${left:-nothing}"
    [[ -z $left ]] && ! grep -rq fscrypt-provision "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/info"
}

test_run() {
    FAILS=0
    c "lintian --pedantic reports nothing (overrides are commented in debian/)" \
        bash -c "cat '$DEBS/lintian.txt'; [[ \$(grep -c . '$DEBS/lintian.txt') == 1 ]] && grep -q 'lintian exit 0' '$DEBS/lintian.txt'"
    c "the scratch root holds exactly the packages' expected files" t08_files
    c "the helper in the package is static (no PT_INTERP, no DT_NEEDED)" \
        bash -c "! readelf -ld '$R/usr/sbin/fscrypt-provision' | grep -E 'INTERP|NEEDED'"
    c "the dracut package's postinst says that dracut rebuilds, and what that changes" \
        grep -q 'the initramfs generator rebuilds the images.*only if /etc/fscrypttab has an "initramfs" entry' "$W/install.log"
    c "the initramfs-tools package's postinst says so too" \
        grep -q 'update-initramfs rebuilds the images.*only if /etc/fscrypttab has an "initramfs" entry' "$W/install.log"
    c "installing them activated the generators' update-initramfs trigger" grep -qx update-initramfs "$R/var/lib/fsp-test-triggered"
    local p
    for p in dracut initramfs; do
        : > "$R/var/lib/fsp-test-triggered"
        t08_dpkg --force-depends -i "$DEBS"/fscrypt-provision-"$p"_*.deb > /dev/null 2>&1
        c "an upgrade of fscrypt-provision-$p activates it again" grep -qx update-initramfs "$R/var/lib/fsp-test-triggered"
    done
    c "the image's helper is the installed package's, not the tree's" t08_image_helper
    c "the image's boot steps are the installed package's" \
        cmp <(lsinitrd -f usr/lib/fscrypt-provision/fscrypt-provision-lib.sh "$FSP_INITRD" 2> /dev/null) \
        "$R/usr/lib/fscrypt-provision/fscrypt-provision-lib.sh"
    fsp_boot shell fsp.test=root
    fsp_expect_pass && fsp_scan_canary FSP-PLAINTEXT-CANARY-ROOT || FAILS=$((FAILS + 1))
    t08_dpkg --force-depends -r "${PKGS[@]}" > /dev/null 2>&1
    c "after remove, only conffiles could be left: there are none" bash -c "! (cd '$R' && find . -path ./var -prune -o ! -type d -print | grep .)"
    t08_dpkg -P "${PKGS[@]}" fsp-test-initramfs-generator > /dev/null 2>&1
    c "after purge nothing of ours is left in the root" t08_left
    ((FAILS == 0)) && rm -rf "$W"
    ((FAILS == 0))
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
