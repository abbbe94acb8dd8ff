#!/bin/bash
# Slots files under kill -9: whenever enroll dies, the file is
# the old one or the new one, and either unlocks. Also a canary scan of
# /proc while enroll holds the key.
. "$(dirname "$0")/lib.sh"

S=$T_WORK/c.slots
P=$T_WORK/pause
RAW=$T_WORK/raw.key
new_key "$RAW"
HEX=$(od -An -tx1 -v "$RAW" | tr -d ' \n')

sum() { sha256sum "$1" | cut -d' ' -f1; }

fsp enroll --slots "$S" --passphrase --key-file "$RAW" --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"one"
ALLOW_STDERR=1 expect "the first slot" 0
ID=$(jq -r .identifier < <("${FSP_CMD[@]}" slots --slots "$S" --json))

# enroll_paused POINT: starts an enroll of a second passphrase that stops
# at POINT; sets PID once it is there.
enroll_paused() {
	rm -f "$P"
	FSP_TEST_PAUSE=$1 FSP_TEST_PAUSE_FILE=$P "${FSP_CMD[@]}" enroll --slots "$S" --passphrase \
		--unlock-passphrase-fd 3 --new-passphrase-fd 4 "${CHEAP[@]}" 3<<<"one" 4<<<"two" >/dev/null 2>&1 &
	PID=$!
	for _ in $(seq 600); do
		[ -e "$P" ] && return 0
		sleep 0.1
	done
	return 1
}

# unlocks PASS: the file opens with PASS to the same key.
unlocks() {
	[ "$("${FSP_CMD[@]}" identifier --slots "$S" --passphrase-fd 3 3<<<"$1" 2>/dev/null)" = "$ID" ]
}

old=$(sum "$S")
if enroll_paused slots-written; then
	# The canary, while the key is unwrapped in this process.
	leak=
	for f in cmdline environ; do
		od -An -tx1 -v "/proc/$PID/$f" | tr -d ' \n' | grep -q "$HEX" && leak="$leak $f"
		grep -qa "$HEX" "/proc/$PID/$f" && leak="$leak $f(hex)"
	done
	[ -z "$leak" ] && t_ok "canary: the key is in neither argv nor the environment" || t_fail "canary in /proc" "$leak"
	kill -9 "$PID"
	wait "$PID" 2>/dev/null
	[ "$(sum "$S")" = "$old" ] && t_ok "killed after writing the new file: the old file is intact" ||
		t_fail "killed after writing the new file: the old file is intact"
	[ -e "$T_WORK/.c.slots.new" ] && t_ok "the half-done new file sits beside it" || t_fail "the new file sits beside it"
	unlocks one && t_ok "and the old file unlocks" || t_fail "and the old file unlocks"
else
	t_fail "enroll reached slots-written"
	kill -9 "$PID"
fi

if enroll_paused slots-renamed; then
	kill -9 "$PID"
	wait "$PID" 2>/dev/null
	[ "$(sum "$S")" != "$old" ] && t_ok "killed after the rename: the file is the new one" ||
		t_fail "killed after the rename: the file is the new one"
	[ ! -e "$T_WORK/.c.slots.new" ] && t_ok "and the leftover of the first kill was cleaned" || t_fail "leftover cleaned"
	unlocks one && unlocks two && t_ok "the new file unlocks with the old and the new passphrase" ||
		t_fail "the new file unlocks with both"
else
	t_fail "enroll reached slots-renamed"
	kill -9 "$PID"
fi

# Killed while Argon2id is being tuned: nothing was written yet.
old=$(sum "$S")
"${FSP_CMD[@]}" enroll --slots "$S" --passphrase --unlock-passphrase-fd 3 --new-passphrase-fd 4 \
	--pbkdf-time 5000 --pbkdf-memory 65536 3<<<"one" 4<<<"three" >/dev/null 2>&1 &
PID=$!
sleep 1
kill -9 "$PID"
wait "$PID" 2>/dev/null
[ "$(sum "$S")" = "$old" ] && unlocks one && t_ok "killed while tuning Argon2id: the old file, and it unlocks" ||
	t_fail "killed while tuning Argon2id"

# Killed during a wipe, after the rename: the slot is gone, the rest opens.
rm -f "$P"
FSP_TEST_PAUSE=slots-renamed FSP_TEST_PAUSE_FILE=$P "${FSP_CMD[@]}" wipe-slot --slots "$S" 0 >/dev/null 2>&1 &
PID=$!
for _ in $(seq 600); do [ -e "$P" ] && break; sleep 0.1; done
kill -9 "$PID"
wait "$PID" 2>/dev/null
! unlocks one && unlocks two && t_ok "killed in wipe-slot after the rename: slot 0 gone, slot 1 opens" ||
	t_fail "killed in wipe-slot after the rename"

t_done
