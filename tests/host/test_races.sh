#!/bin/bash
# Races, each between two real processes. The test-only
# pause point FSP_TEST_PAUSE=after-store stops a writer after it stored its
# provisioning key and before it adds the key to the filesystem by key_id.
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
M=$T_WORK/fs
K=$T_WORK/k.key K2=$T_WORK/k2.key
new_key "$K"
new_key "$K2"
ID=$("${FSP_CMD[@]}" identifier --key-file "$K")
P=$T_WORK/pause

# paused NAME ARGS...: runs the helper with ARGS in the background, paused
# after-store; PID is its pid. Fails if it never pauses.
paused() {
	local name=$1 i
	shift
	rm -f "$P"
	FSP_TEST_PAUSE=after-store FSP_TEST_PAUSE_FILE=$P "${FSP_CMD[@]}" "$@" \
		>"$T_WORK/$name.out" 2>"$T_WORK/$name.err" &
	PID=$!
	for i in $(seq 1500); do
		[ -e "$P" ] && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}
# wait_pause: the paused writer paused again.
wait_pause() {
	local i
	for i in $(seq 1500); do [ -e "$P" ] && return 0; sleep 0.02; done
	return 1
}
serial_of() { # KEYRING VOLUME
	"${FSP_CMD[@]}" list --keyring "$1" --json | jq -r --arg v "$2" '.[] | select(.volume == $v) | .key_id'
}
revoke() { keyctl session - sh -c "keyctl link @u @s >/dev/null; keyctl revoke $1" >/dev/null 2>&1; }

# 1. The provisioning key dies between store and ioctl: the raw key is still
#    in memory, so it is stored again and the add succeeds.
if paused a add --keyring "$KR" --volume r --key-file "$K" --add-to "$M"; then
	t_ok "control: the writer pauses after storing its key"
	S1=$(serial_of "$KR" r)
	revoke "$S1"
	rm -f "$P"
	wait_pause && rm -f "$P"
	wait "$PID"
	RC=$?
	[ "$RC" = 0 ] && grep -q "key $S1 died before it was added to $M (Key has been revoked); stored it again as key" "$T_WORK/a.err" &&
		[[ $(xfs_io -c "enckey_status $ID" "$M") == Present* ]] &&
		t_ok "a key revoked before the ioctl is stored again, and the add succeeds" ||
		t_fail "a key revoked before the ioctl is stored again, and the add succeeds" "rc $RC" "$(cat "$T_WORK/a.out" "$T_WORK/a.err")"
else
	t_fail "control: the writer pauses after storing its key" "$(cat "$T_WORK/a.err")"
fi

# 2. A writer that created the keyring fails after storing its key: its undo
#    must not destroy keys another writer stored meanwhile. The other writer
#    waits for the lock instead, and stores into a keyring that lives.
KR2=$KR-b
if paused a add --keyring "$KR2" --volume a --key-file "$K" --add-to "$M"; then
	"${FSP_CMD[@]}" add --keyring "$KR2" --volume b --key-file "$K2" >"$T_WORK/b.out" 2>"$T_WORK/b.err" &
	B=$!
	sleep 1
	kill -0 "$B" 2>/dev/null && t_ok "the second writer waits for the first" ||
		t_fail "the second writer waits for the first" "$(cat "$T_WORK/b.out" "$T_WORK/b.err")"
	# Both of the first writer's keys die: it fails and undoes.
	revoke "$(serial_of "$KR2" a)"
	rm -f "$P"
	wait_pause && revoke "$(serial_of "$KR2" a)" && rm -f "$P"
	wait "$PID"
	RA=$?
	wait "$B"
	RB=$?
	[ "$RA" = 7 ] && t_ok "the first writer fails (key unavailable) and undoes" ||
		t_fail "the first writer fails (key unavailable) and undoes" "rc $RA" "$(cat "$T_WORK/a.err")"
	[ "$RB" = 0 ] && [ -n "$(serial_of "$KR2" b)" ] &&
		t_ok "the second writer's key survives the first one's undo" ||
		t_fail "the second writer's key survives the first one's undo" "rc $RB" "$(cat "$T_WORK/b.out" "$T_WORK/b.err")"
	R=$(keyctl search @u keyring "$KR2" 2>/dev/null) && keyctl unlink "$R" @u >/dev/null
else
	t_fail "control: the first writer pauses" "$(cat "$T_WORK/a.err")"
fi

# 3. Two writers of one description: the second waits and finds the first's
#    key, instead of displacing it under the first writer's feet.
if paused a add --keyring "$KR" --volume v --key-file "$K2"; then
	"${FSP_CMD[@]}" add --keyring "$KR" --volume v --key-file "$K2" >"$T_WORK/b.out" 2>"$T_WORK/b.err" &
	B=$!
	sleep 1
	kill -0 "$B" 2>/dev/null && t_ok "a second writer of the same key waits" ||
		t_fail "a second writer of the same key waits" "$(cat "$T_WORK/b.out" "$T_WORK/b.err")"
	rm -f "$P"
	wait "$PID"
	RA=$?
	wait "$B"
	RB=$?
	SA=$(sed -n 's/.*provisioned as key \([0-9]*\).*/\1/p' "$T_WORK/a.out")
	[ "$RA" = 0 ] && [ "$RB" = 0 ] && grep -q "already provisioned as key $SA" "$T_WORK/b.out" &&
		[ "$(serial_of "$KR" v)" = "$SA" ] &&
		t_ok "one key of that description, the first writer's ($SA)" ||
		t_fail "one key of that description, the first writer's" "rc $RA $RB" "$(cat "$T_WORK"/[ab].out "$T_WORK"/[ab].err)"
else
	t_fail "control: the writer of v pauses" "$(cat "$T_WORK/a.err")"
fi

t_done
