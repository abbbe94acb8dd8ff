#!/bin/bash
# The initramfs-tools hook, run the way mkinitramfs runs it
# (DESTDIR, version, hook-functions from initramfs-tools-core), without
# building a whole image: what goes in for an "initramfs" entry and what
# does not, the key file's mode, the refusal of an image readable by others
# when it holds keys (umask), embed's refusals stopping the build, nothing
# added with no such entry, FSCRYPT_PROVISION=y, and what embed --manifest
# names for tpm2 slots: the companion, systemd-creds and every library the
# TSS needs, also for a slots file whose path has a blank.
. "$(dirname "$0")/lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
HOOK=$REPO/initramfs-tools/hooks/fscrypt-provision
if [ ! -r /usr/share/initramfs-tools/hook-functions ]; then
	t_fail "initramfs-tools-core is installed (tools/packages)"
	exit 1
fi
KVER=$(find /lib/modules -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
new_key "$T_WORK/root.key"
new_key "$T_WORK/open.key"
chmod 644 "$T_WORK/open.key"
ID=$("${FSP_CMD[@]}" identifier --key-file "$T_WORK/root.key")

# hook UMASK TABLE [VAR=VALUE...]: runs the hook into a fresh $D; output in
# $HOUT, exit status in $HRC.
hook() {
	local um=$1 tab=$2
	shift 2
	D=$T_WORK/dest.$RANDOM
	mkdir "$D"
	HOUT=$(cd / && umask "$um" && env DESTDIR="$D" version="$KVER" verbose=n \
		FSCRYPT_PROVISION_BIN="${FSP_CMD[0]}" FSCRYPT_PROVISION_TAB="$tab" \
		FSCRYPT_PROVISION_CONF=/dev/null \
		FSCRYPT_PROVISION_LIB="$REPO/initramfs/fscrypt-provision-lib.sh" \
		"$@" "$REPO/tests/itools-hook.sh" "$HOOK" 2>&1)
	HRC=$?
}

cat >"$T_WORK/tab" <<EOF
root / $T_WORK/root.key secret initramfs,embed-raw-key,identifier=$ID
late /srv $T_WORK/open.key vault
EOF

if [ -n "${FSP_UNDER_VALGRIND-}" ] || [ "${#FSP_CMD[@]}" != 1 ]; then
	# The hook copies the helper into the image: a wrapper cannot be.
	t_ok "the hook copies the binary itself: skipped under a wrapper"
	exit 0
fi

hook 0022 "$T_WORK/tab"
[ "$HRC" = 1 ] && [[ $HOUT == *"E: fscrypt-provision: the image would hold key material and be readable by users other than root (umask 0022)"* ]] &&
	[[ $HOUT == *"set UMASK=0077 in /etc/initramfs-tools/initramfs.conf"* ]] &&
	t_ok "umask 0022 with a key to embed: the build stops, saying to set UMASK=0077" ||
	t_fail "refusal of a readable image" "$HRC" "$HOUT"

hook 0077 "$T_WORK/tab"
[ "$HRC" = 0 ] && t_ok "umask 0077: the hook succeeds" || t_fail "the hook with umask 0077" "$HRC" "$HOUT"
cmp -s "${FSP_CMD[0]}" "$D/usr/sbin/fscrypt-provision" && t_ok "the helper is in the image at /usr/sbin" ||
	t_fail "the helper in the image" "$(find "$D" | head -20)"
[ "$(stat -c '%a %u' "$D$T_WORK/root.key" 2>/dev/null)" = "400 0" ] && cmp -s "$T_WORK/root.key" "$D$T_WORK/root.key" &&
	t_ok "root's key file is in the image, at its path, mode 0400, owner root" ||
	t_fail "the key file in the image" "$(stat -c '%a %u' "$D$T_WORK/root.key" 2>&1)"
[ ! -e "$D$T_WORK/open.key" ] && ! grep -q '^late' "$D/etc/fscrypttab" && grep -q '^root / ' "$D/etc/fscrypttab" &&
	t_ok "only the initramfs entry is in the image's table; the other's key is not embedded" ||
	t_fail "the image's table" "$(cat "$D/etc/fscrypttab")"
[ "$(cat "$D/etc/fscrypt-provision/embedded-keys")" = "$T_WORK/root.key" ] &&
	[ "$(stat -c %a "$D/etc/fscrypt-provision/embedded-keys")" = 600 ] &&
	t_ok "the embedded key files are listed (mode 0600), for removal after apply" ||
	t_fail "the list of embedded keys" "$(cat "$D/etc/fscrypt-provision/embedded-keys" 2>&1)"
cmp -s "$REPO/initramfs/fscrypt-provision-lib.sh" "$D/usr/lib/fscrypt-provision/fscrypt-provision-lib.sh" &&
	t_ok "the boot steps shared with the dracut module are in the image" || t_fail "the shared boot steps"
if [ -d "/lib/modules/$KVER/kernel/crypto" ]; then
	# Those that this kernel has as modules: Debian 13's builds
	# sha512_generic in, Debian 12's does not.
	mods='' missing=''
	for m in xts cts sha512_generic; do
		grep -q "/$m\.ko" "/lib/modules/$KVER/modules.dep" || continue
		mods="$mods $m"
		find "$D" -name "$m.ko*" | grep -q . || missing="$missing $m"
	done
	[ -n "$mods" ] && [ -z "$missing" ] &&
		t_ok "manual_add_modules put the crypto modules of $KVER ($mods ) in the image" ||
		t_fail "the crypto modules (missing:$missing)" "$(find "$D" -name '*.ko*' | head)"
fi

[ "$(stat -c '%a %u' "$D/etc/fscrypttab")" = "644 0" ] && [ "$(stat -c %a "$D/etc/fscrypt-provision")" = 700 ] &&
	t_ok "the table is mode 0644 and /etc/fscrypt-provision 0700, as in a dracut image, whatever the umask" ||
	t_fail "the modes of the table and its directory" "$(stat -c '%a %u %n' "$D/etc/fscrypttab" "$D/etc/fscrypt-provision" 2>&1)"
[ -x "$D/usr/bin/rm" ] && t_ok "rm is in the image, for the boot steps (klibc has none)" || t_fail "rm in the image"
hook 0077 "$T_WORK/tab" version=0.0.0-no-such-kernel
[ "$HRC" = 1 ] && [[ $HOUT == *"cannot install kernel module xts (AES-256-XTS"* ]] &&
	t_ok "a kernel without fscrypt's algorithms as modules or built in: the build stops, saying which" ||
	t_fail "a missing required module" "$HRC" "$HOUT"

# tpm2 slots: what embed --manifest names, the same as for dracut. A slots
# file sealed by systemd-creds, with a blank in its path.
mkdir -m 0700 "$T_WORK/with space"
install -m 0600 "$REPO/tests/fuzz/corpus/slots/tpm2-pcr7-and-signed.slots" "$T_WORK/with space/tp.slots"
printf 'tp / "slots:%s" - initramfs\n' "$T_WORK/with space/tp.slots" >"$T_WORK/tpm2.tab"
hook 0077 "$T_WORK/tpm2.tab"
[ "$HRC" = 0 ] && cmp -s "$T_WORK/with space/tp.slots" "$D$T_WORK/with space/tp.slots" &&
	t_ok "a slots file with a blank in its path is embedded" || t_fail "the tpm2 slots file" "$HRC" "$HOUT"
cmp -s "${FSP_CMD[0]%/*}/fscrypt-provision-tpm2" "$D/usr/lib/fscrypt-provision/fscrypt-provision-tpm2" &&
	[ -x "$D/usr/bin/systemd-creds" ] &&
	t_ok "its tpm2 slots bring the companion (beside the helper) and systemd-creds" ||
	t_fail "the TPM programs" "$(find "$D" -name '*tpm2*' -o -name 'systemd-creds')"
missing=
for lib in $(find "$D" -name 'libtss2-*.so.*' -printf '%f\n' | sort -u); do
	for need in $(readelf -d "$(find "$D" -name "$lib" | head -n 1)" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		find "$D" -name "$need" | grep -q . || missing="$missing $lib:$need"
	done
done
for lib in libtss2-esys.so.0 libtss2-rc.so.0 libtss2-mu.so.0 libtss2-sys.so.1 libtss2-tcti-device.so.0; do
	find "$D" -name "$lib" | grep -q . || missing="$missing $lib"
done
[ -z "$missing" ] && t_ok "the TSS libraries systemd-creds and the companion open, libtss2-sys and every library they need" ||
	t_fail "the TSS libraries in the image" "missing:$missing"

# embed's refusal stops the build: a world-readable key file.
printf 'root / %s secret initramfs,embed-raw-key\n' "$T_WORK/open.key" >"$T_WORK/bad.tab"
hook 0077 "$T_WORK/bad.tab"
[ "$HRC" = 1 ] && [[ $HOUT == *"open.key"* ]] && [[ $HOUT == *"E: fscrypt-provision: embed refused"* ]] &&
	[ ! -e "$D/etc/fscrypttab" ] && [ ! -e "$D$T_WORK/open.key" ] &&
	t_ok "a key file others can read: embed's reason, the build stops, nothing embedded" ||
	t_fail "embed's refusal" "$HRC" "$HOUT"

printf 'late /srv %s vault\n' "$T_WORK/root.key" >"$T_WORK/none.tab"
hook 0022 "$T_WORK/none.tab"
[ "$HRC" = 0 ] && [ -z "$(ls -A "$D")" ] &&
	t_ok "no initramfs entry: the hook adds nothing (the image is what it was)" ||
	t_fail "no initramfs entry" "$HRC" "$(find "$D" | head)"
hook 0022 "$T_WORK/missing.tab"
[ "$HRC" = 0 ] && [ -z "$(ls -A "$D")" ] && t_ok "no table at all: nothing added" || t_fail "no table" "$HRC" "$HOUT"
hook 0022 "$T_WORK/none.tab" FSCRYPT_PROVISION=y
[ "$HRC" = 0 ] && [ -x "$D/usr/sbin/fscrypt-provision" ] && [ ! -e "$D/etc/fscrypttab" ] &&
	t_ok "FSCRYPT_PROVISION=y: the helper with no entry (for rd.fscrypt.key= files), no table" ||
	t_fail "FSCRYPT_PROVISION=y" "$HRC" "$HOUT"
hook 0077 "$T_WORK/none.tab" FSCRYPT_PROVISION_TPM2=y
[ "$HRC" = 0 ] && [ -x "$D/usr/lib/fscrypt-provision/fscrypt-provision-tpm2" ] && [ ! -e "$D/etc/fscrypttab" ] &&
	t_ok "FSCRYPT_PROVISION_TPM2=y: the helper and the companion with no entry (embed --tpm2)" ||
	t_fail "FSCRYPT_PROVISION_TPM2=y" "$HRC" "$HOUT"
t_done
