#!/bin/bash
# Argon2id's working memory is locked while a passphrase slot is sealed or
# opened (src/slots/pbkdf.c): seen in /proc while the run goes on. Where the
# memory lock limit does not allow it (no CAP_IPC_LOCK, a small ulimit -l),
# the run still works and says so in one line, with the limit that would do.
. "$(dirname "$0")/lib.sh"

S=$T_WORK/p.slots
# Long enough to be seen from here (about 0.5 s natively); valgrind is
# some 50 times slower.
MEM=65536 ITER=20
[ -n "${FSP_UNDER_VALGRIND-}" ] && MEM=16384 ITER=1
NOLOCK=(setpriv --inh-caps=-ipc_lock --bounding-set=-ipc_lock)
# ASan's interceptors make mlock() and mlockall() succeed and do nothing.
if [[ $FSP == */asan/* ]]; then
	fsp enroll --slots "$S" --passphrase --generate --new-passphrase-fd 3 --pbkdf-memory 8192 --pbkdf-iterations 1 3<<<"p"
	fsp identifier --slots "$S" --passphrase-fd 3 3<<<"p"
	ALLOW_STDERR=1 expect "a slot sealed and opened (locking # SKIP: ASan does not lock)" 0
	t_done
	exit
fi

# locked_tree PID: the locked memory (kB) of PID and of its children (the
# Argon2id run), the largest of them.
locked_tree() {
	local c v max=0
	for c in "$1" $(awk -v p="$1" '{sub(/^.*\) /, ""); if ($2 == p) {split(FILENAME, a, "/"); print a[3]}}' \
		/proc/[0-9]*/stat 2>/dev/null); do
		v=$(awk '/^Locked:/ {print $2}' "/proc/$c/smaps_rollup" 2>/dev/null)
		[ "${v:-0}" -gt "$max" ] && max=$v
	done
	echo "$max"
}

# sample CMD...: runs CMD as fsp does (RC, OUT, ERR) and, while it runs,
# reads its locked memory every 10 ms: PEAK is the most seen, in kB.
sample() {
	local pid v
	PEAK=0
	"$@" >"$T_WORK/out" 2>"$T_WORK/err" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		v=$(locked_tree "$pid")
		[ "$v" -gt "$PEAK" ] && PEAK=$v
		sleep 0.01
	done
	wait "$pid"
	RC=$?
	OUT=$(cat "$T_WORK/out")
	ERR=$(cat "$T_WORK/err")
}

sample "${FSP_CMD[@]}" enroll --slots "$S" --passphrase --generate --new-passphrase-fd 3 \
	--pbkdf-memory $MEM --pbkdf-iterations $ITER 3<<<"locked pass"
[ "$RC" = 0 ] && [ "$PEAK" -ge "$MEM" ] &&
	t_ok "enroll: Argon2id's $MEM KiB are locked while it runs ($PEAK kB locked at most)" ||
	t_fail "enroll locks Argon2id's memory" "exit $RC, $PEAK kB locked at most" "$ERR"
ID=$("${FSP_CMD[@]}" slots --slots "$S" --json | jq -r .identifier)

sample "${FSP_CMD[@]}" identifier --slots "$S" --passphrase-fd 3 3<<<"locked pass"
[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [ "$PEAK" -ge "$MEM" ] && [[ $ERR != *warning* ]] &&
	t_ok "unwrap as root: locked too ($PEAK kB), and no warning" ||
	t_fail "unwrap as root locks Argon2id's memory" "exit $RC, $PEAK kB locked at most" "$OUT" "$ERR"

# Without CAP_IPC_LOCK: where the limit is too small, unlocked, working, said.
# 1 MiB: mlockall() itself is refused; 8 MiB: then Argon2id's mapping is.
# nolock LIMIT_KIB SLOTS PASSPHRASE: an unwrap without CAP_IPC_LOCK, sampled.
nolock() {
	sample prlimit --memlock=$(($1 << 10)):$(($1 << 10)) "${NOLOCK[@]}" "${FSP_CMD[@]}" identifier --slots "$2" \
		--passphrase-fd 3 3<<<"$3"
}
mib=$((MEM >> 10))
hard=$(ulimit -Hl)
[ "$hard" = unlimited ] && hard=$(((mib + 16) << 10))
if ! command -v setpriv >/dev/null || ! command -v prlimit >/dev/null; then
	t_ok "without CAP_IPC_LOCK # SKIP: needs setpriv and prlimit (util-linux)"
else
	for limit in 1024 8192; do
		[ "$limit" -gt "$hard" ] && continue
		nolock "$limit" "$S" "locked pass"
		warning=$(grep -c "warning: Argon2id's $mib MiB of working memory could not be locked" "$T_WORK/err")
		[ "$RC" = 0 ] && [ "$OUT" = "$ID" ] && [ "$PEAK" -lt "$MEM" ] && [ "$warning" = 1 ] &&
			grep -q "memory lock limit is $limit KiB.*ulimit -l $(((mib + 16) << 10)), LimitMEMLOCK=$((mib + 16))M" "$T_WORK/err" &&
			t_ok "no CAP_IPC_LOCK, ulimit -l $limit: it unwraps, unlocked, and says so in one line with the limit to set" ||
			t_fail "the warning under ulimit -l $limit" "exit $RC, $PEAK kB locked" "$OUT" "$ERR"
	done

	# A limit that is enough needs no CAP_IPC_LOCK: 4 MiB of Argon2id under
	# the limit the warning would name (20 MiB), or 8 MiB.
	[ "$hard" -gt 20480 ] && hard=20480
	if [ -n "${FSP_UNDER_VALGRIND-}" ] || [ "$hard" -lt 8192 ]; then
		# valgrind's own memory is far over such a limit.
		t_ok "a raised limit without CAP_IPC_LOCK # SKIP: not under valgrind, and needs a hard limit of 8 MiB"
	else
		"${FSP_CMD[@]}" enroll --slots "$T_WORK/small.slots" --passphrase --generate \
			--new-passphrase-fd 3 --pbkdf-memory 4096 --pbkdf-iterations 300 3<<<"small" >/dev/null 2>&1
		nolock "$hard" "$T_WORK/small.slots" "small"
		[ "$RC" = 0 ] && [ "$PEAK" -ge 4096 ] && [[ $ERR != *warning* ]] &&
			t_ok "no CAP_IPC_LOCK, ulimit -l $hard: 4 MiB of Argon2id are locked ($PEAK kB), no warning" ||
			t_fail "a raised limit without CAP_IPC_LOCK" "exit $RC, $PEAK kB locked" "$ERR"
	fi
fi

t_done
