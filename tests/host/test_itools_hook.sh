#!/bin/bash
# The initramfs-tools hook, run the way mkinitramfs runs it
# (DESTDIR, version, hook-functions from initramfs-tools-core), without
# building a whole image: what goes in for an "initramfs" entry and what
# does not, the key file's mode, the refusal of an image readable by every
# user when it holds keys (umask), embed's refusals stopping the build,
# nothing added with no such entry, and FSCRYPT_PROVISION=y.
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
		"$@" sh "$HOOK" 2>&1)
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
[ "$HRC" = 1 ] && [[ $HOUT == *"E: fscrypt-provision: the image would hold key material and be readable by every user (umask 0022)"* ]] &&
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
	find "$D" -name 'xts.ko*' | grep -q . && find "$D" -name 'sha512_generic.ko*' | grep -q . &&
		t_ok "manual_add_modules put xts and sha512_generic ($KVER) in the image" ||
		t_fail "the crypto modules" "$(find "$D" -name '*.ko*' | head)"
fi

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
t_done
