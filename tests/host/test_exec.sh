#!/bin/bash
# The programs the helper runs as root with a key at stake (exec slots'
# unsealers, here; the PIN companion in test_tpm2_pin.sh): no one but root
# may decide what runs, through the program, a directory on its way, a
# symbolic link or a script's interpreter; what runs is what was checked;
# and none of them dumps core.
. "$(dirname "$0")/lib.sh"

D=$T_WORK/d
mkdir -m 755 "$D"
N=0

# unsealer PATH [#!-LINE]: a root-owned script at PATH that writes a
# secret of its own and says it ran.
unsealer() {
	{
		echo "${2:-#!/bin/sh}"
		echo "echo \"ran $1\" >&2"
		echo "printf 'secret-of-%s' '$1'"
	} >"$1"
	chmod 755 "$1"
}
# enrol PROGRAM: enroll --exec PROGRAM into a new slots file.
enrol() {
	N=$((N + 1))
	fsp enroll --slots "$T_WORK/$N.slots" --generate --exec "$@" --
}
# refused NAME MESSAGE PROGRAM: enrolling PROGRAM is refused (exit 4),
# the message naming what to change, and PROGRAM never ran.
refused() {
	local name=$1 msg=$2 prog=$3
	enrol "$prog"
	if [ "$RC" != 4 ] || [[ $ERR != *"$msg"* ]] || [[ $ERR != *"refusing to run it"* ]]; then
		t_fail "$name" "exit $RC, expected 4" "stderr: $ERR" "expected: $msg"
	elif [[ $ERR == *"ran "* ]] || [ -e "$T_WORK/$N.slots" ]; then
		t_fail "$name" "the program ran, or a slots file was written" "stderr: $ERR"
	else
		t_ok "$name"
	fi
}
# accepted NAME PROGRAM: enrolling PROGRAM runs it and adds the slot.
accepted() {
	local name=$1 prog=$2
	enrol "$prog"
	if [ "$RC" = 0 ] && [[ $OUT == *"slot 0 (exec) added"* ]] && [[ $ERR == *"ran "* ]]; then
		t_ok "$name"
	else
		t_fail "$name" "exit $RC" "stdout: $OUT" "stderr: $ERR"
	fi
}

# The normal case: root's script under root's directories, #!/bin/sh
# (through /bin -> usr/bin on a merged /usr).
unsealer "$D/ok"
accepted "a root-owned /bin/sh script under root-owned directories runs" "$D/ok"
[[ $ERR == *"ran $D/ok"* ]] && t_ok "it ran as itself" || t_fail "it ran as itself" "$ERR"
if [ -L /bin ]; then
	t_ok "(/bin is a symbolic link here: $(readlink /bin))"
fi
fsp identifier --slots "$T_WORK/$N.slots" </dev/null
ALLOW_STDERR=1 expect "and unlocks with it, no one asked" 0 "ran $D/ok"
enrol /usr/bin/printf 0123456789abcdef
expect "a binary runs too (printf)" 0 "slot 0 (exec) added"

# A directory on the way that another user owns: that user could put
# anything at the program's name.
install -d -o nobody -m 755 "$D/nb"
unsealer "$D/nb/u"
refused "a program in a directory owned by nobody is refused" \
	"directory $D/nb is owned by uid 65534 (mode 0755), not by root; refusing to run it: chown root $D/nb" "$D/nb/u"
install -d -o nobody -m 755 "$D/nb/sub"
chown root "$D/nb/sub"
unsealer "$D/nb/sub/u"
refused "also when the directory is higher up the path" "directory $D/nb is owned by uid 65534" "$D/nb/sub/u"

# Directories group or others may write to.
mkdir -m 775 "$D/gw" && unsealer "$D/gw/u"
refused "a group-writable directory is refused" \
	"directory $D/gw is writable by group or others (mode 0775); refusing to run it: chmod go-w $D/gw" "$D/gw/u"
mkdir -m 757 "$D/ow" && unsealer "$D/ow/u"
refused "an other-writable directory is refused" "directory $D/ow is writable by group or others (mode 0757)" "$D/ow/u"

# A sticky directory others may write to (as /tmp): they can neither
# rename nor remove root's entries, so root's program with one link runs;
# a hard link, someone's link to root's file perhaps, does not.
mkdir -m 1777 "$D/sticky" && unsealer "$D/sticky/u"
accepted "a sticky world-writable directory with root's program in it: run" "$D/sticky/u"
ln "$D/sticky/u" "$D/sticky/u2"
refused "there, a file with two links is refused" "file $D/sticky/u has 2 links and lies in $D/sticky" "$D/sticky/u"
rm "$D/sticky/u2"
ln -s "$D/ok" "$D/sticky/link" && chown -h nobody "$D/sticky/link"
refused "there, a symbolic link of nobody's is refused" \
	"symbolic link $D/sticky/link is owned by uid 65534 (mode 0777), not by root" "$D/sticky/link"
unsealer "$D/sticky/theirs" && chown nobody "$D/sticky/theirs"
refused "and a program of nobody's" "file $D/sticky/theirs is owned by uid 65534" "$D/sticky/theirs"

# The program itself.
unsealer "$D/gwf" && chmod 775 "$D/gwf"
refused "a group-writable program is refused" "file $D/gwf is writable by group or others (mode 0775)" "$D/gwf"

# Symbolic links are followed as the kernel does, each checked, and each
# component of their targets.
ln -s ok "$D/rel" && ln -s "$D/ok" "$D/abs"
accepted "a symbolic link (relative) to a good program: run" "$D/rel"
[[ $ERR == *"ran $D/ok"* ]] && t_ok "the link's target ran" || t_fail "the link's target ran" "$ERR"
accepted "an absolute one too" "$D/abs"
mkdir -m 755 "$D/hop" && ln -s ../nb/u "$D/hop/into-nb"
refused "a link whose target lies in nobody's directory is refused, naming it" \
	"directory $D/nb is owned by uid 65534" "$D/hop/into-nb"

# A script's interpreter is checked the same way, every component of it.
cp /bin/dash "$D/sh-nobody" && chown nobody "$D/sh-nobody"
unsealer "$D/s1" "#!$D/sh-nobody"
refused "a script whose interpreter belongs to nobody is refused" \
	"$D/s1: its interpreter $D/sh-nobody: file $D/sh-nobody is owned by uid 65534 (mode 0755), not by root; refusing to run it: chown root $D/sh-nobody" "$D/s1"
cp /bin/dash "$D/nb/sh"
unsealer "$D/s2" "#!$D/nb/sh"
refused "a script whose interpreter lies in nobody's directory is refused" \
	"$D/s2: its interpreter $D/nb/sh: directory $D/nb is owned by uid 65534" "$D/s2"
cp /bin/dash "$D/dash"
unsealer "$D/s3" "#!$D/dash -e"
accepted "a root-owned interpreter with an argument: run" "$D/s3"
unsealer "$D/s4" "#!$D/ok"
enrol "$D/s4"
expect "an interpreter that is a script itself is refused" 4 "its interpreter $D/ok: a script itself; refusing to run it"
unsealer "$D/s5" "#!sh"
enrol "$D/s5"
expect "a relative interpreter is refused" 4 "its #! line names sh, not an interpreter by its absolute path"

# At unlock (the initramfs' way): an exec slot whose directory was given
# away since is passed over with the reason, and the next protector used.
install -d -m 755 "$D/later" && unsealer "$D/later/u"
accepted "an unsealer enrolled while its directory was root's" "$D/later/u"
S_LATER=$T_WORK/$N.slots
fsp enroll --slots "$S_LATER" --passphrase --new-passphrase-fd 3 --pbkdf-iterations 1 --pbkdf-memory 8192 3<<<"fallback"
chown nobody "$D/later"
fsp identifier --slots "$S_LATER" --passphrase-fd 3 3<<<"fallback"
ALLOW_STDERR=1 expect "at unlock, refused once nobody owns its directory; the passphrase opens" 0 \
	"directory $D/later is owned by uid 65534 (mode 0755), not by root; refusing to run it"
[[ $ERR != *"ran $D/later/u"* ]] && t_ok "and it did not run" || t_fail "and it did not run" "$ERR"

# What runs is the file checked, not what its name holds by then: root
# swaps the program between the check and the run (test-only pause).
unsealer "$D/swap"
printf '#!/bin/sh\necho swapped-in >&2\nexit 9\n' >"$D/swap.new" && chmod 755 "$D/swap.new"
P=$T_WORK/pause
rm -f "$P"
N=$((N + 1))
FSP_TEST_PAUSE=exec-checked FSP_TEST_PAUSE_FILE=$P "${FSP_CMD[@]}" enroll --keyring "$KR" \
	--slots "$T_WORK/$N.slots" --generate --exec "$D/swap" -- >"$T_WORK/swap.out" 2>"$T_WORK/swap.err" &
PID=$!
for _ in $(seq 500); do [ -e "$P" ] && break; sleep 0.02; done
if [ -e "$P" ]; then
	mv "$D/swap.new" "$D/swap"
	rm -f "$P"
	wait "$PID"
	RC=$? OUT=$(cat "$T_WORK/swap.out") ERR=$(cat "$T_WORK/swap.err")
	ALLOW_STDERR=1 expect "a program swapped after its check: the checked one runs" 0 "ran $D/swap"
	[[ $ERR != *swapped-in* ]] && t_ok "and the new one does not" || t_fail "and the new one does not" "$ERR"
else
	kill "$PID" 2>/dev/null
	wait "$PID"
	t_fail "a program swapped after its check: the checked one runs" "no pause at exec-checked" "$(cat "$T_WORK/swap.err")"
fi

# No core dumps: an unsealer holds the secret it unseals. Its
# RLIMIT_CORE is 0, soft and hard, whatever ours is.
# shellcheck disable=SC2016 # expanded by the unsealer's sh
printf '#!/bin/sh\necho "core soft=$(ulimit -c) hard=$(ulimit -H -c)" >&2\nprintf 0123456789abcdef\n' >"$D/core"
chmod 755 "$D/core"
(
	ulimit -c unlimited
	enrol "$D/core"
	printf '%s\n' "$RC" "$ERR" >"$T_WORK/core.res"
)
RC=$(head -n 1 "$T_WORK/core.res") ERR=$(tail -n +2 "$T_WORK/core.res") OUT=
ALLOW_STDERR=1 expect "an unsealer run from a shell with ulimit -c unlimited has no core dumps" 0 "core soft=0 hard=0"

t_done
