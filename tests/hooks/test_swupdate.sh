#!/bin/bash
# fsp-host: alone (tests/run-all.sh): the update tools use their own fixed
# paths, so they run one at a time, as they always did.
# SWUpdate 2022.12 with the hooks/swupdate adapters (shellscript, Lua, -P/-p):
# (a) an update remounts the data volume, (b) a key revoked between pre and
# post fails the update, (c) pre refuses a revoked key before anything is
# unmounted. See lib.sh.
# shellcheck disable=SC2119 # data_volume takes an optional nofail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_tools swupdate openssl cpio xfs_io jq

# ---------------------------------------------------------------- SWUpdate
# A signed .swu: a raw image for a loop-device slot, the test's remount
# payload as a "postinstall" script listed first (scripts run in list
# order), then the adapter: hooks/swupdate/fscrypt-provision.sh as a
# "shellscript" (preinst and postinst), or fscrypt-provision.lua as "lua";
# or no adapter in the .swu, and the entry point as swupdate's -P
# (preupdatecmd) and -p (postupdatecmd).
t0=$(now)
SW=$T_WORK/swu
mkdir -p "$SW/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$SW/key.pem" -out "$SW/cert.pem" \
	-subj /CN=fsp-hooktest -days 2 >/dev/null 2>&1
truncate -s 2M "$SW/slot.img"
SW_SLOT=$(losetup -f --show "$SW/slot.img")
T_LOOPS+=("$SW_SLOT")
head -c 1M /dev/urandom >"$SW/image.bin"
printf '#!/bin/sh\nexec %s\n' "$REMOUNT" >"$SW/remount.sh"
cp "$HOOKS/swupdate/fscrypt-provision.sh" "$HOOKS/swupdate/fscrypt-provision.lua" "$SW/"
swu() { # OUT [SCRIPT TYPE]
	local out=$1 script=${2-} type=${3-} f adapter=
	sha() { sha256sum "$SW/$1" | cut -d' ' -f1; }
	[ -z "$script" ] ||
		adapter=",
    { filename = \"$script\"; type = \"$type\"; sha256 = \"$(sha "$script")\"; }"
	cat >"$SW/sw-description" <<EOF
software = {
  version = "2.0";
  hardware-compatibility: [ "1.0" ];
  images: ( { filename = "image.bin"; device = "$SW_SLOT"; type = "raw"; sha256 = "$(sha image.bin)"; } );
  scripts: (
    { filename = "remount.sh"; type = "postinstall"; sha256 = "$(sha remount.sh)"; }$adapter
  );
};
EOF
	openssl cms -sign -in "$SW/sw-description" -out "$SW/sw-description.sig" \
		-signer "$SW/cert.pem" -inkey "$SW/key.pem" -outform DER -nosmimecap -binary
	(cd "$SW" && for f in sw-description sw-description.sig image.bin remount.sh ${script:+"$script"}; do
		echo "$f"
	done | cpio -o -H crc --quiet >"$out")
}
swu "$SW/sh.swu" fscrypt-provision.sh shellscript
swu "$SW/lua.swu" fscrypt-provision.lua lua
swu "$SW/cmd.swu"
sw_run() { # VARIANT -- sets RC and OUT
	local cmds=()
	[ "$1" = cmd ] && cmds=(-P "$UPDATE pre" -p "$UPDATE post")
	head -c 2M /dev/zero >"$SW_SLOT"
	OUT=$(TMPDIR=$SW/tmp "${T[@]}" swupdate -k "$SW/cert.pem" -H fsp-board:1.0 "${cmds[@]}" -i "$SW/$1.swu" 2>&1)
	RC=$?
}
sw_slot_written() { cmp -s -n 1048576 "$SW/image.bin" "$SW_SLOT"; }
sw_slot_blank() { cmp -s -n 1048576 /dev/zero "$SW_SLOT"; }
for variant in sh lua cmd; do
	t1=$(now)
	data_volume
	sw_run "$variant"
	updater_case "swupdate ($variant): update remounts the data volume, files readable after" a "$RC" "$OUT" - sw_slot_written
	data_volume
	revoke_between
	sw_run "$variant"
	updater_case "swupdate ($variant): key revoked between pre and post fails the update" b "$RC" "$OUT" -
	data_volume
	revoke_now
	before=$(mount_id)
	sw_run "$variant"
	updater_case "swupdate ($variant): pre refuses a revoked key before anything is unmounted" c "$RC" "$OUT" "$before" sw_slot_blank
	echo "# swupdate ($variant): 3 updates in $(elapsed "$t1") s"
done
echo "# swupdate: $(elapsed "$t0") s with setup"

t_done
