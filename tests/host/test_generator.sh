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

# Volumes the initramfs does not provision: a load unit each, ordered after
# the mount (or the volume) that holds the key source, before the volume's
# mount and unlock, and local-fs.target unless nofail.
TAB2=$T_WORK/fscrypttab2
cat >"$TAB2" <<EOF
root / /etc/k/root.key secret initramfs
early /early /etc/k/early.key - initramfs
data /data slots:/etc/fscrypt-provision/data.slots vault
home /home slots:/data/keys/home.slots - nofail
self /self /self/plain/self.key -
elsewhere /elsewhere none -
EOF
GEN2=$T_WORK/gen2
mkdir "$GEN2"
FSCRYPT_PROVISION_BIN=$BIN FSCRYPT_PROVISION_TAB=$TAB2 sh "$ROOT/hooks/systemd/fscrypt-provision-generator" "$GEN2" >"$T_WORK/out2" 2>&1
RC=$?
[ "$RC" = 0 ] && t_ok "the generator succeeds with volumes outside the initramfs" ||
	t_fail "the generator with volumes outside the initramfs" "rc $RC" "$(cat "$T_WORK/out2")"
loads=$(cd "$GEN2" && find . -maxdepth 1 -name 'fscrypt-provision-load@*.service' -printf '%f ' | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$loads" = "fscrypt-provision-load@data.service fscrypt-provision-load@home.service fscrypt-provision-load@self.service " ] &&
	t_ok "a load unit for each volume with a key source and no initramfs option (not root, early or elsewhere)" ||
	t_fail "which volumes get a load unit" "$loads"
D=$GEN2/fscrypt-provision-load@data.service
grep -qx 'ExecStart=.* apply --tab ".*fscrypttab2" --volume data' "$D" &&
	grep -qx 'RequiresMountsFor="/etc/fscrypt-provision/data.slots"' "$D" &&
	grep -qx 'Before=fscrypt-provision-unlock@data.service data.mount' "$D" &&
	grep -qx 'Before=local-fs.target' "$D" && grep -qx 'ConditionKernelCommandLine=!fscrypt=0' "$D" &&
	grep -qx 'TimeoutSec=infinity' "$D" && ! grep -q '^Wants=' "$D" &&
	[ -L "$GEN2/local-fs.target.requires/fscrypt-provision-load@data.service" ] &&
	t_ok "data: apply --volume data, after its slots file's mount, before data.mount, its unlock and local-fs.target (required)" ||
	t_fail "data's load unit" "$(cat "$D")"
H2=$GEN2/fscrypt-provision-load@home.service
grep -qx 'Wants=fscrypt-provision-unlock@data.service' "$H2" &&
	grep -qx 'After=fscrypt-provision-unlock@data.service' "$H2" &&
	grep -qx 'Before=fscrypt-provision-unlock@home.service home.mount' "$H2" &&
	! grep -q '^Before=local-fs.target' "$H2" &&
	[ -L "$GEN2/local-fs.target.wants/fscrypt-provision-load@home.service" ] &&
	[ ! -e "$GEN2/local-fs.target.requires/fscrypt-provision-load@home.service" ] &&
	t_ok "home (nofail, its slots file on data): after data's unlock, not before local-fs.target, only wanted" ||
	t_fail "home's load unit" "$(cat "$H2")"
grep -qx 'Before=fscrypt-provision-unlock@self.service' "$GEN2/fscrypt-provision-load@self.service" &&
	t_ok "a key file on the volume's own mount: not ordered before that mount (no cycle)" ||
	t_fail "self's load unit" "$(cat "$GEN2/fscrypt-provision-load@self.service")"
R=$GEN2/fscrypt-provision-unlock@root.service
grep -qx 'After=-.mount' "$R" && ! grep -q 'BindsTo=' "$R" && grep -qx 'Before=local-fs.target' "$R" &&
	grep -qx "ExecStart=$BIN unlock --tab \"$TAB2\" --volume root \"/\"" "$R" &&
	[ -L "$GEN2/local-fs.target.wants/fscrypt-provision-unlock@root.service" ] &&
	t_ok "root: an unlock unit that local-fs.target pulls in once a boot (a new root after a soft-reboot)" ||
	t_fail "root's unlock unit" "$(cat "$R" 2>&1)"
E=$GEN2/fscrypt-provision-tpm2-end.service
for l in data home self; do
	grep -q "^After=.* fscrypt-provision-load@$l.service" "$E" || E_BAD="$E_BAD $l"
done
[ -z "${E_BAD-}" ] && grep -qx 'Before=systemd-user-sessions.service' "$E" &&
	grep -qx "ExecStart=$BIN tpm2-extend --final" "$E" &&
	[ -L "$GEN2/sysinit.target.wants/fscrypt-provision-tpm2-end.service" ] &&
	t_ok "tpm2-end: tpm2-extend --final after every load unit, before logins" ||
	t_fail "tpm2-end" "missing:${E_BAD-}" "$(cat "$E" 2>&1)"
for sh in emergency rescue debug-shell; do
	grep -qx "ExecStartPre=-$BIN tpm2-extend --final" "$GEN2/$sh.service.d/50-fscrypt-provision.conf" ||
		SH_BAD="${SH_BAD-} $sh"
done
[ -z "${SH_BAD-}" ] && t_ok "emergency, rescue and debug-shell extend PCR 15 (--final) before their shell" ||
	t_fail "the shells' drop-ins" "missing:$SH_BAD"
[ -e "$GEN/fscrypt-provision-tpm2-end.service" ] && ! grep -q '^After=' "$GEN/fscrypt-provision-tpm2-end.service" &&
	[ -e "$GEN/emergency.service.d/50-fscrypt-provision.conf" ] &&
	t_ok "with no load unit, tpm2-end and the drop-ins still (a slot for the running system may be anywhere)" ||
	t_fail "tpm2-end without load units" "$(find "$GEN")"
# A table that cannot be read: no volume units, exit 1, and still the end
# of the TPM's phases (the initramfs extended PCR 15 from its own table).
printf 'bad line\n' >"$T_WORK/bad.tab"
GEN3=$T_WORK/gen3
mkdir "$GEN3"
FSCRYPT_PROVISION_BIN=$BIN FSCRYPT_PROVISION_TAB=$T_WORK/bad.tab sh "$ROOT/hooks/systemd/fscrypt-provision-generator" "$GEN3" >"$T_WORK/out3" 2>&1
RC=$?
[ "$RC" = 1 ] && [ -e "$GEN3/fscrypt-provision-tpm2-end.service" ] &&
	[ -e "$GEN3/debug-shell.service.d/50-fscrypt-provision.conf" ] &&
	[ -z "$(find "$GEN3" -name 'fscrypt-provision-unlock@*')" ] &&
	t_ok "an unreadable table: exit 1, no unlock unit, tpm2-end and the drop-ins still" ||
	t_fail "an unreadable table" "rc $RC" "$(cat "$T_WORK/out3")" "$(find "$GEN3")"
if command -v systemd-analyze >/dev/null; then
	for u in "$D" "$H2" "$E" "$R"; do
		out=$(cd "$GEN2" && SYSTEMD_UNIT_PATH="$GEN2:" systemd-analyze verify --man=no "$u" 2>&1)
		bad=$(grep -v -e 'Unit [^ ]*\.mount not found' <<<"$out" | grep -i -e 'invalid' -e 'fail' -e 'bad' -e 'unknown' -e 'ignor' -e 'cycle')
		[ -z "$bad" ] && t_ok "systemd-analyze verify accepts ${u##*/}" ||
			t_fail "systemd-analyze verify accepts ${u##*/}" "$out"
	done
fi
"$BIN" volumes --tab "$TAB2" >"$T_WORK/vols"
[ "$(awk -F'\t' '$1 == "home" { print $5 "|" $6 "|" $7 }' "$T_WORK/vols")" = "-|/data/keys/home.slots|data" ] &&
	[ "$(awk -F'\t' '$1 == "root" { print $5 "|" $7 }' "$T_WORK/vols")" = "initramfs|-" ] &&
	t_ok "volumes: initramfs, the key file and the volume it is on, as fields 5 to 7" ||
	t_fail "volumes' new fields" "$(cat "$T_WORK/vols")"

t_done
