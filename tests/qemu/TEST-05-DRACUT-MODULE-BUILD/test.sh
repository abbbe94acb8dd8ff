#!/bin/bash
# SPDX-License-Identifier: MIT
# The dracut module at build time, without booting: which entries and key
# files go into the image and with which modes, the shell/systemd split,
# check()'s answers, the refusals that must stop the build (a key file
# others can read, not owned by root, a symlink, under /run, an fd: source,
# a broken table), and for tpm2 slots the same files of ours as the
# initramfs-tools hook puts in its image (both install embed --manifest).
TEST_DESCRIPTION="dracut module at build time: embedded table and keys, refusals stop the build, check()"

test_check() {
    fsp_require_tools
}

test_setup() {
    fsp_assets && fsp_initrd systemd
}

W=""


# build TAB IMAGE [dracut options]: the shell image from table TAB.
build() {
    local tab=$1 img=$2
    shift 2
    env dracutbasedir="$W/base" fscrypttab="$tab" FSCRYPT_PROVISION_BIN="$FSP_BIN" \
        dracut --force --no-hostonly --no-hostonly-cmdline --no-early-microcode \
        --no-compress --conf /dev/null --confdir "$W/confdir" --tmpdir "$W/work" \
        --kver "$FSP_KVER" -m "base fscrypt-provision" "$@" "$img"
}

# refused DESCRIPTION TAB PATTERN: the build must fail, say PATTERN and
# write no image.
refused() {
    local out rc
    rm -f "$W/refused.img"
    out=$(build "$2" "$W/refused.img" --no-kernel 2>&1)
    rc=$?
    c "$1: the build fails" test "$rc" != 0
    c "$1: dracut says why" grep -q -- "$3" <<< "$out"
    c "$1: no image is written" test ! -e "$W/refused.img"
}

# entry_of IMAGE PATH: 'ls -l'-style line of PATH in the image.
listing() {
    lsinitrd "$1" 2> /dev/null
}

# check_says EXPECTED [VAR=VALUE...]: check()'s answer, with dracut's
# helpers stubbed.
check_says() {
    local want=$1 got
    shift
    # shellcheck disable=SC2016 # expanded by the inner bash
    got=$(env "$@" bash -c '
        dfatal() { echo "$*" >&2; }
        dinfo() { echo "$*" >&2; }
        . "$0"
        check
        echo $?' "$FSP_REPO/dracut-module/50fscrypt-provision/module-setup.sh" 2> /dev/null)
    [[ $got == "$want" ]] || {
        echo "check() returned $got, expected $want"
        return 1
    }
}

# t05_itools TABLE DIR: the initramfs-tools hook into DIR, as mkinitramfs
# runs it (tests/host/test_itools_hook.sh runs it more).
t05_itools() {
    mkdir -p "$2" && (cd / && umask 077 && env DESTDIR="$2" version="$FSP_KVER" verbose=n \
        FSCRYPT_PROVISION_BIN="$FSP_BIN" FSCRYPT_PROVISION_TAB="$1" FSCRYPT_PROVISION_CONF=/dev/null \
        "$FSP_REPO/tests/itools-hook.sh" "$FSP_REPO/initramfs-tools/hooks/fscrypt-provision")
}

# t05_ours IMAGE|DIR: the files and links of ours in an image or a
# directory, and the TSS's, outside the generators' own scripts (dracut's
# hooks: /usr/lib/dracut on 059, /var/lib/dracut from dracut-ng 102); without
# the unversioned lib*.so links that dracut-install adds beside a library.
t05_ours() {
    if [[ -f $1 ]]; then
        listing "$1" | grep -aE '^[-l][-rwxsStT]{9} ' | sed -E 's/^([^ ]+ +){8}//; s/ -> .*//; s|^|./|'
    else
        (cd "$1" && find . ! -type d)
    fi | grep -E 'fscrypt-provision|fscrypttab|libtss2-|systemd-creds|\.slots$|/rm$' |
        grep -v -e '^\./usr/lib/dracut/' -e '^\./var/lib/dracut/' -e '/systemd/system/' -e '/lib/modules/' \
            -e '\.so$' | sort
}

test_run() {
    local k img l
    W=$(mktemp -d "$FSP_QEMU_CACHE/build-test.XXXXXX")
    FSP_RUN=$W
    fsp_dracut_base "$W/base" &&
        mkdir -m 0700 "$W/confdir" "$W/work" "$W/keys" "$W/keys/with space" || return 1
    for k in root home q; do fsp_make_key "$W/keys/$k.key" || return 1; done
    mv "$W/keys/q.key" "$W/keys/with space/q.key" || return 1

    # A good table: what goes in, what stays out.
    cat > "$W/good.tab" <<- EOF
	# comment line
	root  /      $W/keys/root.key  secret    initramfs,embed-raw-key   # trailing comment
	home  /home  $W/keys/home.key  -         nofail
	media /media none              pictures  identifier=69b2f6edeee720cce0577937eb8a6751,initramfs
	qv    "/mnt/with space"  "file:$W/keys/with space/q.key"  'a dir'  nofail,initramfs,embed-raw-key
	EOF
    img=$W/good.img
    c "a good table builds" build "$W/good.tab" "$img"
    l=$(listing "$img")
    c "the helper is in the image" grep -q ' usr/sbin/fscrypt-provision$' <<< "$l"
    c "root's key is embedded, mode 0400 root" grep -q "^-r-------- .* root  *root .* ${W#/}/keys/root.key$" <<< "$l"
    c "a quoted key path is embedded, mode 0400" grep -q "^-r-------- .* ${W#/}/keys/with space/q.key$" <<< "$l"
    c "home's key (no initramfs option) is not embedded" bash -c "! grep -q 'home.key' <<< '$l'"
    lsinitrd -f etc/fscrypt-provision/embedded-keys "$img" > "$W/embedded.in" 2> /dev/null
    printf '%s\n' "$W/keys/root.key" "$W/keys/with space/q.key" > "$W/embedded.want"
    c "the image lists its embedded key files, for removal after apply" \
        cmp -s "$W/embedded.want" "$W/embedded.in"
    c "the list is root's only" grep -q "^-rw------- .* etc/fscrypt-provision/embedded-keys$" <<< "$l"
    c "the image has the emergency hook that removes them" grep -q 'hooks/emergency/00-fscrypt-provision-emergency.sh$' <<< "$l"
    lsinitrd -f etc/fscrypttab "$img" > "$W/tab.in" 2> /dev/null
    c "the image's fscrypttab has root, media and qv" bash -c \
        "grep -q '^root ' '$W/tab.in' && grep -q '^media ' '$W/tab.in' && grep -q '^qv ' '$W/tab.in'"
    c "the image's fscrypttab leaves home out" bash -c "! grep -q '^home ' '$W/tab.in'"
    # check exits 3 for a table it cannot parse, 1 for "not ready".
    # shellcheck disable=SC2016 # expanded by the inner bash
    c "the helper parses the image's fscrypttab" bash -c \
        '"$0" check --tab "$1" --volume media / --quiet > /dev/null 2>&1; [ $? != 3 ]' \
        "$FSP_BIN" "$W/tab.in"
    c "the shell image has the pre-pivot hook" grep -q 'hooks/pre-pivot/60-fscrypt-provision-pre-pivot.sh$' <<< "$l"
    c "the shell image has no systemd unit" bash -c "! grep -q 'fscrypt-provision.service' <<< '$l'"
    for k in xts ecb cts sha512_generic; do
        # Debian 13's kernel has ecb and sha512_generic built in.
        if grep -q "/$k\.ko" "$FSP_KMODDIR/modules.builtin"; then
            c "kernel module $k is built in: nothing to add" true
            continue
        fi
        c "the image has kernel module $k" grep -q "/$k.ko" <<< "$l"
    done
    c "the image has kernel module ext4" grep -q "/ext4.ko" <<< "$l"
    c "the image file is readable by root only" bash -c "[[ \$(stat -c %a '$img') == 600 ]]"

    # dracut copies its image onto the target with cp,
    # which keeps an existing file's mode, and Debian leaves
    # /boot/initrd.img-* at 0644. An image with keys must end up 0600, for
    # the shell and the systemd image alike.
    # The images go where another user can reach them (the cache is 0700).
    local m pub
    pub=$(mktemp -d /tmp/fsp-test05.XXXXXX) && chmod 0711 "$pub" || return 1
    for m in shell systemd; do
        install -m 0644 /dev/null "$pub/existing-$m.img"
        if [[ $m == shell ]]; then
            c "$m: rebuilding over a 0644 image" build "$W/good.tab" "$pub/existing-$m.img"
        else
            c "$m: rebuilding over a 0644 image" build "$W/good.tab" "$pub/existing-$m.img" \
                -m "systemd systemd-initrd dracut-systemd base fscrypt-provision"
        fi
        c "$m: the image is made 0600" bash -c "[[ \$(stat -c %a '$pub/existing-$m.img') == 600 ]]"
        # shellcheck disable=SC2016 # expanded by the inner shells
        c "$m: another user cannot read the embedded key" bash -c \
            '! su nobody -s /bin/sh -c "lsinitrd -f \"\$0\" \"\$1\"" "${0#/}" "$1" 2> /dev/null | grep -q .' \
            "$W/keys/root.key" "$pub/existing-$m.img"
    done
    rm -rf "$pub"

    # A tpm2 slots file in a minimal generic image (base and our module
    # only, as Debian's dracut builds them): systemd-creds and every
    # library the TSS libraries it opens with dlopen() need. The boot
    # tests' images got libtss2-sys from their tpm2 tools and hid its
    # absence here (found by tests/guide).
    local lib need missing=
    install -m 0600 "$FSP_REPO/tests/fuzz/corpus/slots/tpm2-pcr7-and-signed.slots" "$W/keys/tp.slots"
    echo "tp / slots:$W/keys/tp.slots - initramfs" > "$W/tpm2.tab"
    c "a table with a tpm2 slots file builds" build "$W/tpm2.tab" "$W/tpm2.img" --no-kernel
    l=$(listing "$W/tpm2.img")
    c "the tpm2 image has systemd-creds" grep -q 'bin/systemd-creds$' <<< "$l"
    while read -r lib; do
        for need in $(readelf -d "$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')" |
            sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
            grep -qE "/${need//./\\.}( -> .*)?\$" <<< "$l" || missing+=" $lib:$need"
        done
    done < <(grep -o 'libtss2-[a-z-]*\.so\.[0-9]\+' <<< "$l" | sort -u)
    c "the tpm2 image has libtss2-esys.so.0" grep -q 'libtss2-esys\.so\.0 ' <<< "$l"
    c "the TSS libraries' needs are in the image${missing:+ (missing:$missing)}" test -z "$missing"
    c "the tpm2 image has the companion, beside the boot steps" bash -c \
        "grep -q ' usr/lib/fscrypt-provision/fscrypt-provision-tpm2\$' <<< \"\$0\" &&
         grep -q ' usr/lib/fscrypt-provision/fscrypt-provision-lib.sh\$' <<< \"\$0\"" "$l"
    c "the table is 0644 and /etc/fscrypt-provision 0700" bash -c \
        "grep -q '^-rw-r--r-- .* etc/fscrypttab\$' <<< \"\$0\" && grep -q '^drwx------ .* etc/fscrypt-provision\$' <<< \"\$0\"" "$l"
    # Both generators install one manifest: the initramfs-tools hook, run
    # as mkinitramfs runs it, puts the same files of ours in its image.
    c "the initramfs-tools hook takes the same table" t05_itools "$W/tpm2.tab" "$W/itools"
    c "both generators put the same files of ours in their images" \
        diff <(t05_ours "$W/tpm2.img") <(t05_ours "$W/itools")

    # The systemd image built for TEST-50.
    l=$(listing "$FSP_INITRD")
    c "the systemd image has fscrypt-provision.service" grep -q 'systemd/system/fscrypt-provision.service$' <<< "$l"
    c "initrd.target wants it" grep -q 'initrd.target.wants/fscrypt-provision.service -> ' <<< "$l"
    c "initrd-cleanup.service needs it (drop-in)" grep -q 'initrd-cleanup.service.d/fscrypt-provision.conf$' <<< "$l"
    c "the systemd image has no pre-pivot hook of ours" bash -c "! grep -q 'pre-pivot/60-fscrypt' <<< '$l'"

    # Refusals.
    install -m 0644 "$W/keys/root.key" "$W/keys/readable.key"
    printf 'root / %s - initramfs,embed-raw-key\n' "$W/keys/readable.key" > "$W/t1.tab"
    refused "a world-readable key file" "$W/t1.tab" "readable.key: it has mode 0644, so others may read or change it"
    install -m 0640 "$W/keys/root.key" "$W/keys/group.key"
    printf 'root / %s - initramfs,embed-raw-key\n' "$W/keys/group.key" > "$W/t2.tab"
    refused "a group-readable key file" "$W/t2.tab" "group.key: it has mode 0640, so others"
    install -m 0600 -o 65534 "$W/keys/root.key" "$W/keys/nobody.key"
    printf 'root / %s - initramfs,embed-raw-key\n' "$W/keys/nobody.key" > "$W/t3.tab"
    refused "a key file owned by another user" "$W/t3.tab" "nobody.key: it is owned by uid 65534, not by uid 0"
    ln -s root.key "$W/keys/link.key"
    printf 'root / %s - initramfs,embed-raw-key\n' "$W/keys/link.key" > "$W/t4.tab"
    refused "a symlinked key file" "$W/t4.tab" "link.key: it is a symbolic link"
    printf 'root / /run/keys/root.key - initramfs,embed-raw-key\n' > "$W/t5.tab"
    refused "a key file under /run" "$W/t5.tab" "are mounted over in the initramfs"
    printf 'root / fd:3 - initramfs\n' > "$W/t6.tab"
    refused "an fd: key source" "$W/t6.tab" "cannot be used in the initramfs"
    printf 'ok / none - initramfs,embed-raw-key\nroot / "%s - initramfs,embed-raw-key\n' "$W/keys/root.key" > "$W/t7.tab"
    refused "an unterminated quote" "$W/t7.tab" "t7.tab:2: unterminated \" quote"
    printf 'root / %s/keys/missing.key - initramfs,embed-raw-key\n' "$W" > "$W/t8.tab"
    refused "a missing key file" "$W/t8.tab" "missing.key: it does not exist"
    head -c 32 /dev/urandom > "$W/keys/short.key" && chmod 0600 "$W/keys/short.key"
    printf 'root / %s - initramfs,embed-raw-key\n' "$W/keys/short.key" > "$W/t9.tab"
    refused "a key file of the wrong size" "$W/t9.tab" "short.key: it is 32 bytes, but a 64-byte key file must be"
    printf 'root / %s - initramfs,identifier=00112233445566778899aabbccddeeff,embed-raw-key\n' "$W/keys/root.key" > "$W/t10.tab"
    refused "a key that is not the table's identifier=" "$W/t10.tab" "but $W/t10.tab:1 expects 00112233445566778899aabbccddeeff"

    # The rules are the helper's, the same at build time as at boot:
    # allow-readable accepts a group-readable key file there too.
    printf 'root / %s - initramfs,allow-readable,embed-raw-key\n' "$W/keys/group.key" > "$W/t11.tab"
    c "allow-readable: a group-readable key file builds" build "$W/t11.tab" "$W/t11.img" --no-kernel
    c "allow-readable: its key is embedded, mode 0400" grep -q "^-r-------- .* ${W#/}/keys/group.key$" <<< "$(listing "$W/t11.img")"

    # check(): 255 unless asked; host-only includes the module when the
    # table has initramfs entries (or is broken, so that install() says so).
    printf 'home /home %s - nofail\n' "$W/keys/home.key" > "$W/noinitramfs.tab"
    c "check: not host-only -> 255" check_says 255 hostonly= fscrypttab="$W/good.tab" FSCRYPT_PROVISION_BIN="$FSP_BIN"
    c "check: host-only with initramfs entries -> 0" check_says 0 hostonly=-h fscrypttab="$W/good.tab" FSCRYPT_PROVISION_BIN="$FSP_BIN"
    c "check: host-only without initramfs entries -> 255" check_says 255 hostonly=-h fscrypttab="$W/noinitramfs.tab" FSCRYPT_PROVISION_BIN="$FSP_BIN"
    c "check: host-only without a table -> 255" check_says 255 hostonly=-h fscrypttab="$W/none.tab" FSCRYPT_PROVISION_BIN="$FSP_BIN"
    c "check: host-only with a broken table -> 0 (install fails loudly)" check_says 0 hostonly=-h fscrypttab="$W/t7.tab" FSCRYPT_PROVISION_BIN="$FSP_BIN"
    c "check: helper missing -> 1" check_says 1 hostonly=-h fscrypttab="$W/good.tab" FSCRYPT_PROVISION_BIN="$W/nonexistent"
    # dracut --sysroot DIR: the helper and the table are DIR's.
    mkdir -p "$W/sysroot/usr/sbin" "$W/sysroot/etc" && install -m 0755 "$FSP_BIN" "$W/sysroot/usr/sbin/" &&
        cp "$W/good.tab" "$W/sysroot/etc/fscrypttab"
    c "check: --sysroot, host-only, the root's helper and table -> 0" check_says 0 hostonly=-h dracutsysrootdir="$W/sysroot"
    c "check: --sysroot, not host-only -> 255" check_says 255 hostonly= dracutsysrootdir="$W/sysroot"

    if ((FAILS == 0)); then
        rm -rf "$W"
        FSP_RUN=""
        return 0
    fi
    return 1
}

# shellcheck source=../lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
fsp_test_main "$@"
