#!/bin/bash
# The systemd generator with legal names that systemd-escape cannot turn
# into a unit name: a volume name of many @ and a
# mountpoint too long for a mount unit. Both get a unit, and systemd itself
# (systemd-analyze verify) accepts what is written.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$T_WORK/bin
one_word_bin "$BIN"
AT="a$(printf '@%.0s' $(seq 63))"
LONG=/mnt/$(printf 'x%.0s' $(seq 200))/$(printf 'y%.0s' $(seq 100))
TAB=$T_WORK/fscrypttab
printf '%s /mnt/at none\nlong %s none\nplain /mnt/plain none nofail\n' "$AT" "$LONG" >"$TAB"
GEN=$T_WORK/gen
mkdir "$GEN"
FSCRYPT_PROVISION_BIN=$BIN FSCRYPT_PROVISION_TAB=$TAB sh "$ROOT/hooks/systemd/fscrypt-provision-generator" "$GEN" >"$T_WORK/out" 2>&1
RC=$?
[ "$RC" = 0 ] && t_ok "the generator succeeds" || t_fail "the generator succeeds" "rc $RC" "$(cat "$T_WORK/out")"

H=fscrypt-provision-unlock@h-$(printf '%s' "$AT" | sha256sum | cut -c1-32).service
[ -f "$GEN/$H" ] && grep -q -- "--volume $AT " "$GEN/$H" &&
	[ -L "$GEN/mnt-at.mount.wants/$H" ] &&
	t_ok "a name that escapes past 255 characters gets a hashed instance" ||
	t_fail "a name that escapes past 255 characters gets a hashed instance" "$(find "$GEN")"
L=$(systemd-escape --template=fscrypt-provision-unlock@.service long)
[ -f "$GEN/$L" ] && grep -q "^RequiresMountsFor=\"$LONG\"$" "$GEN/$L" &&
	! grep -q '^BindsTo=' "$GEN/$L" && [ -L "$GEN/local-fs.target.wants/$L" ] &&
	grep -q "volume long: the mountpoint is too long for a mount unit name" "$T_WORK/out" &&
	t_ok "a mountpoint too long for a mount unit: RequiresMountsFor=, at boot, and said" ||
	t_fail "a mountpoint too long for a mount unit: RequiresMountsFor=, at boot, and said" "$(cat "$T_WORK/out")" "$(cat "$GEN/$L" 2>/dev/null)"
P=$(systemd-escape --template=fscrypt-provision-unlock@.service plain)
[ -f "$GEN/$P" ] && [ -L "$GEN/mnt-plain.mount.wants/$P" ] &&
	t_ok "an ordinary entry is unchanged" || t_fail "an ordinary entry is unchanged" "$(find "$GEN")"
if command -v systemd-analyze >/dev/null; then
	for u in "$H" "$L" "$P"; do
		out=$(cd "$GEN" && SYSTEMD_UNIT_PATH="$GEN:" systemd-analyze verify --man=no "$GEN/$u" 2>&1)
		# The mount units do not exist here; anything else is a fault.
		bad=$(grep -v -e 'Unit [^ ]*\.mount not found' <<<"$out" | grep -i -e 'invalid' -e 'fail' -e 'bad' -e 'unknown' -e 'ignor')
		[ -z "$bad" ] && t_ok "systemd-analyze verify accepts ${u:0:40}..." ||
			t_fail "systemd-analyze verify accepts ${u:0:40}..." "$out"
	done
fi

t_done
