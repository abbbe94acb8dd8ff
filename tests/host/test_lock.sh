#!/bin/bash
# fsp-host: alone (tests/run-all.sh): it holds the lock every keyring
# creation takes, and changes the mode of its directory.
# The keyring-creation lock: only root can take it, so
# no other user can stall provisioning, and it serialises concurrent
# creations of one keyring.
. "$(dirname "$0")/lib.sh"

K=$T_WORK/k.key
new_key "$K"
LOCKDIR=/run/fscrypt-provision
ring_count() { # NAME: how many keyrings of that name @u links
	keyctl rlist @u 2>/dev/null | tr ' ' '\n' | while read -r id; do
		[ -n "$id" ] && keyctl rdescribe "$id" 2>/dev/null
	done | grep -c "^keyring;.*;$1\$"
}

# The reproduction of the issue: nobody binds the abstract socket name the
# old lock used; the add that must create the keyring went on waiting for
# 10 s and exited 11.
su nobody -s /bin/sh -c "exec python3 -c 'import socket,time
s=socket.socket(socket.AF_UNIX)
s.bind(\"\\0fscrypt-provision/$KR\")
time.sleep(30)'" 2>/dev/null &
SQUAT=$!
sleep 1
fsp add --volume squat --key-file "$K"
expect "another user's abstract socket no longer blocks the keyring's creation" 0 ""
kill "$SQUAT" 2>/dev/null
wait "$SQUAT" 2>/dev/null
[ "$(stat -c '%u %a' "$LOCKDIR")" = "0 700" ] &&
	t_ok "the lock directory $LOCKDIR is root's, mode 0700" ||
	t_fail "the lock directory $LOCKDIR is root's, mode 0700" "$(stat -c '%u %a' "$LOCKDIR")"
su nobody -s /bin/sh -c "flock -n $LOCKDIR true" 2>/dev/null &&
	t_fail "another user cannot take the lock" ||
	t_ok "another user cannot take the lock"
keyctl unlink "$(keyring_id)" @u >/dev/null 2>&1

# Held by another root process: add waits for it, then says who held what.
# The holder keeps it until the add is done, however slow the add is (it
# runs under valgrind too): flock -o leaves the lock to flock alone.
flock -o "$LOCKDIR" sleep 120 &
HOLD=$!
sleep 1
fsp add --volume held --key-file "$K"
expect "a held lock: add gives up after 10 s (exit 11), naming the lock" 11 "held the lock on $LOCKDIR for 10 s"
[ "$(ring_count "$KR")" = 0 ] && t_ok "nothing was created meanwhile" || t_fail "nothing was created meanwhile"
pkill -P "$HOLD" sleep 2>/dev/null
kill "$HOLD" 2>/dev/null
wait "$HOLD" 2>/dev/null

# A lock directory that others could open is refused, naming its mode.
chmod 0755 "$LOCKDIR"
fsp add --volume open --key-file "$K"
chmod 0700 "$LOCKDIR"
expect "a lock directory others can open is refused" 8 "lock directory $LOCKDIR is owned by uid 0 with mode 0755"

# Eight concurrent adds that all need the keyring: one keyring, eight keys.
for i in 1 2 3 4 5 6 7 8; do
	"${FSP_CMD[@]}" add --keyring "$KR" --quiet --volume "v$i" --key-file "$K" >"$T_WORK/c$i" 2>&1 &
done
failed=0
for job in $(jobs -p); do wait "$job" || failed=$((failed + 1)); done
[ "$failed" = 0 ] && [ "$(ring_count "$KR")" = 1 ] &&
	[ "$("${FSP_CMD[@]}" list --keyring "$KR" --json | jq length)" = 8 ] &&
	t_ok "8 concurrent adds: all succeed, one keyring, 8 keys" ||
	t_fail "8 concurrent adds: all succeed, one keyring, 8 keys" "failed $failed, rings $(ring_count "$KR")" "$(cat "$T_WORK"/c*)"

t_done
