#!/bin/bash
# Canary: after provisioning a known key, its bytes (raw and hex) appear in
# no /proc/*/cmdline or environ, in none of the tool's output, in no file
# written meanwhile, not on the filesystem image, and not in the tool's own
# memory at exit; nor is a recovery key that enroll printed.
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
M=$T_WORK/fs
K=$T_WORK/canary.key
# 64 printable bytes so grep -F can look for them; any bytes are a key.
printf 'fsp-canary-Qm7Zt2Lx9Vr4Kw8Hs3Nc6Bd1Fy5Gj0Pe-u9Ti4Oa7Ys2Wq6Mz3Xk1' >"$K"
chmod 600 "$K"
[ "$(wc -c <"$K")" = 64 ] || t_fail "canary is 64 bytes"
RAW=$(cat "$K")
HEX=$(od -An -tx1 -v "$K" | tr -d ' \n')
HEXUP=$(tr a-f A-F <<<"$HEX")
od -An -tx1 -v "$K" | tr -d ' \n' >"$T_WORK/canary.hex" && chmod 600 "$T_WORK/canary.hex"

# found FILE... -- does any file hold the canary in any form?
found() { LC_ALL=C grep -l -a -F -e "$RAW" -e "$HEX" -e "$HEXUP" "$@" 2>/dev/null | grep -q .; }

# Positive control: the search does find the canary where it is.
found "$K" && found "$T_WORK/canary.hex" && t_ok "canary search finds the canary" ||
	t_fail "canary search finds the canary"

touch "$T_WORK/stamp"
sleep 1
fsp add --volume canary --key-file "$K" --add-to "$M"
ALL="$OUT$ERR"
ID=$("${FSP_CMD[@]}" identifier --key-file "$T_WORK/canary.hex" 2>&1)
ALL="$ALL$ID"
printf 'canary %s %s - keyformat=hex\n' "$M" "$T_WORK/canary.hex" >"$T_WORK/tab"
fsp apply --tab "$T_WORK/tab"
ALL="$ALL$OUT$ERR"
"${FSP_CMD[@]}" add --keyring "$KR" --volume canary2 --key-fd 3 3<"$K" >"$T_WORK/o3" 2>&1
ALL="$ALL$(cat "$T_WORK/o3")"
fsp list --json
ALL="$ALL$OUT$ERR"
fsp status --json "$M"
ALL="$ALL$OUT$ERR"

[[ $ALL != *"$RAW"* && $ALL != *"$HEX"* && $ALL != *"$HEXUP"* ]] && t_ok "no canary in the tool's output" ||
	t_fail "no canary in the tool's output"
if found /proc/[0-9]*/cmdline /proc/[0-9]*/environ; then
	t_fail "no canary in any /proc/*/cmdline or environ"
else
	t_ok "no canary in any /proc/*/cmdline or environ"
fi
if grep -q -a -F -e "$RAW" /proc/keys; then t_fail "no canary in /proc/keys"; else t_ok "no canary in /proc/keys"; fi

# Files written since the stamp, wherever a tool might write.
mapfile -t NEW < <(find /tmp /var/tmp /run /etc /root -xdev -type f -newer "$T_WORK/stamp" \
	! -path "$K" ! -path "$T_WORK/canary.hex" 2>/dev/null)
if [ ${#NEW[@]} -gt 0 ] && found "${NEW[@]}"; then
	t_fail "no canary in files written meanwhile" "$(LC_ALL=C grep -l -a -F -e "$RAW" -e "$HEX" "${NEW[@]}")"
else
	t_ok "no canary in ${#NEW[@]} files written meanwhile"
fi

# The filesystem image, after the encrypted data reached it.
mkdir "$M/enc" && "${FSP_CMD[@]}" set-policy "$M/enc" "$ID" >/dev/null && echo data >"$M/enc/f"
sync
if found "$T_WORK/fs.img"; then t_fail "no canary on the filesystem image"; else t_ok "no canary on the filesystem image"; fi

# The tool's own memory at exit: key buffers must be wiped and unmapped.
if [ -n "${FSP_UNDER_VALGRIND-}" ] || [[ $FSP == */asan/* || $FSP == */cover/* ]] || ! command -v gdb >/dev/null; then
	t_ok "memory at exit # SKIP: needs gdb and the plain build"
else
	# dump-excluded-mappings: include the MADV_DONTDUMP key buffers too.
	core_at() {
		rm -f "$T_WORK/core"
		gdb -q -batch -ex 'set pagination off' -ex 'set use-coredump-filter off' \
			-ex 'set dump-excluded-mappings on' -ex "break $1" -ex run \
			-ex "gcore $T_WORK/core" -ex kill \
			--args "${FSP_CMD[@]}" add --keyring "$KR" --volume canary3 --key-file "$K" --add-to "$M" \
			>"$T_WORK/gdb.log" 2>&1
		[ -s "$T_WORK/core" ]
	}
	# Positive control: while the key is in use, the core does hold it.
	if core_at fscrypt_key_identifier && found "$T_WORK/core"; then
		t_ok "core of the running tool shows the key (control)"
	else
		t_fail "core of the running tool shows the key (control)" "$(tail -5 "$T_WORK/gdb.log")"
	fi
	if ! core_at exit; then
		t_fail "memory at exit: core written" "$(tail -5 "$T_WORK/gdb.log")"
	elif found "$T_WORK/core"; then
		t_fail "no canary in the tool's memory at exit"
	else
		t_ok "no canary in the tool's memory at exit"
	fi

	# The recovery key enroll prints: its text and its bytes are gone from
	# the tool's memory at exit (stdout's stdio buffer once kept the text).
	rk_cores() {
		rm -f "$T_WORK/r.slots" "$T_WORK/core.mid" "$T_WORK/core"
		gdb -q -batch -ex 'set pagination off' -ex 'set use-coredump-filter off' \
			-ex 'set dump-excluded-mappings on' -ex 'break slot_seal_secret' -ex 'break exit' \
			-ex "run enroll --slots $T_WORK/r.slots --recovery-key --key-file $K >$T_WORK/rk.out 2>$T_WORK/rk.err" \
			-ex "gcore $T_WORK/core.mid" -ex continue -ex "gcore $T_WORK/core" -ex continue \
			"${FSP_CMD[@]}" >"$T_WORK/gdb.log" 2>&1
		[ -s "$T_WORK/core.mid" ] && [ -s "$T_WORK/core" ]
	}
	rk_text() { LC_ALL=C grep -q -a -F -e "$RK" -e "${RK//-/}" "$1"; }
	rk_bytes() { od -An -tx1 -v "$1" | tr -d ' \n' | grep -q "$RKHEX"; }
	if ! rk_cores; then
		t_fail "recovery key: cores written" "$(tail -5 "$T_WORK/gdb.log")"
	else
		RK=$(tail -n 1 "$T_WORK/rk.out")
		RKHEX=$(tr -d - <<<"$RK" | tr cbdefghijklnrtuv 0123456789abcdef)
		# Positive control: while the slot is sealed, both forms are there.
		[[ $RK =~ ^[cbdefghijklnrtuv]{8}(-[cbdefghijklnrtuv]{8}){7}$ ]] && rk_text "$T_WORK/core.mid" &&
			rk_bytes "$T_WORK/core.mid" && t_ok "core while sealing shows the recovery key, text and bytes (control)" ||
			t_fail "core while sealing shows the recovery key (control)" "$RK" "$(tail -5 "$T_WORK/gdb.log")"
		if rk_text "$T_WORK/core" || rk_bytes "$T_WORK/core"; then
			t_fail "no recovery key in the tool's memory at exit"
		else
			t_ok "no recovery key (text or bytes) in the tool's memory at exit"
		fi
	fi
	rm -f "$T_WORK/core" "$T_WORK/core.mid"
fi

t_done
