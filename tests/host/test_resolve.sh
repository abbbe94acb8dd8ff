#!/bin/bash
# Listed directories are resolved below the mountpoint, on its filesystem,
# through no symbolic link: a user who owns a parent
# directory cannot point the check at another directory.
. "$(dirname "$0")/lib.sh"
# valgrind 3.19 (Debian 12) does not know openat2(): under it the helper
# takes its path for kernels before 5.6, which this test is not about.
if [ -n "${FSP_UNDER_VALGRIND-}" ]; then
	echo "# skipped under valgrind, which lacks openat2()"
	exit 0
fi

new_fs fs -O encrypt
new_fs other -O encrypt
M=$T_WORK/fs O=$T_WORK/other
K=$T_WORK/k.key KO=$T_WORK/ko.key
new_key "$K"
new_key "$KO"
ID=$("${FSP_CMD[@]}" identifier --key-file "$K")
IDO=$("${FSP_CMD[@]}" identifier --key-file "$KO")
xfs_io -c add_enckey "$M" <"$K" >/dev/null
xfs_io -c add_enckey "$O" <"$KO" >/dev/null
mkdir -p "$M/home/alice" "$O/elsewhere"
mkdir "$M/vault" && xfs_io -c "set_encpolicy $ID" "$M/vault"
xfs_io -c "set_encpolicy $IDO" "$O/elsewhere"
TAB=$T_WORK/fscrypttab
printf 'v %s %s home/alice/vault\n' "$M" "$K" >"$TAB"

# The listed directory is a symbolic link to a directory of another key.
rm -rf "$M/home/alice"
mkdir -p "$M/home/alice"
ln -s "$O/elsewhere" "$M/home/alice/vault"
fsp apply --tab "$TAB"
expect "apply: a listed directory reached through a symlink is refused" 3 \
	"$M/home/alice/vault (volume v) is reached through a symbolic link"
fsp check --tab "$TAB" "$M"
[ "$RC" != 0 ] && [[ $ERR == *"reached through a symbolic link"* ]] &&
	t_ok "check says the same" || t_fail "check says the same" "rc $RC" "$ERR"
# A symlink higher up the path is refused the same way.
rm -rf "$M/home/alice"
ln -s "$O" "$M/home/alice"
mkdir -p "$O/vault" && xfs_io -c "set_encpolicy $IDO" "$O/vault"
fsp apply --tab "$TAB"
expect "apply: a symlink in a parent of the listed directory is refused" 3 "is reached through a symbolic link"
rm "$M/home/alice"

# Another filesystem mounted on the listed directory.
mkdir -p "$M/home/alice/vault"
mount --bind "$O/elsewhere" "$M/home/alice/vault"
fsp apply --tab "$TAB"
umount "$M/home/alice/vault"
expect "apply: a listed directory on another mount is refused" 3 "$M/home/alice/vault (volume v) is on another mount"

# A file where the directory should be.
rmdir "$M/home/alice/vault"
touch "$M/home/alice/vault"
fsp apply --tab "$TAB"
expect "apply: a file as listed directory is refused" 3 "is not a directory"
rm "$M/home/alice/vault"

# The real directory still works.
printf 'v %s %s vault\n' "$M" "$K" >"$TAB"
fsp apply --tab "$TAB"
expect "apply: the real listed directory is used" 0 "apply: 1 volume ready"

# A user who owns a parent of the listed directory can swap it for one of
# their own, with their own key: its policy proves nothing then, and must
# neither steer the check nor fail the boot. It is not checked, and said.
mkdir -p "$M/home/alice"
chown 65534 "$M/home/alice"
mkdir "$M/home/alice/vault"
chown 65534 "$M/home/alice/vault"
xfs_io -c add_enckey "$M" <"$KO" >/dev/null
xfs_io -c "set_encpolicy $IDO" "$M/home/alice/vault"
printf 'v %s %s home/alice/vault\n' "$M" "$K" >"$TAB"
ALLOW_STDERR=1
fsp apply --tab "$TAB"
expect "apply: a listed directory another user controls is not checked, and the key is provisioned" 0 \
	"$M/home/alice/vault (volume v) is below a directory that another user may change (owner uid 65534"
chown 0 "$M/home/alice"
chmod 0777 "$M/home/alice"
fsp apply --tab "$TAB"
expect "the same for a parent that others may write" 0 "writable by group or others"
chmod 0755 "$M/home/alice"
unset ALLOW_STDERR
fsp apply --tab "$TAB"
expect "with the parent root's again, the other key is refused" 6 "wrong key"
rm -rf "$M/home/alice"

# The mountpoint under --root is resolved inside that root, through no
# link: an absolute symlink below the root must not lead apply to a
# filesystem outside it (realpath followed it out before).
SR=$T_WORK/sysroot
mkdir -p "$SR"
ln -s "$M" "$SR/data"
printf 'v /data %s vault\n' "$K" >"$TAB"
fsp remove --keep-provisioned --tab "$TAB" --volume v "$M"
[[ $(xfs_io -c "enckey_status $ID" "$M") == Absent* ]] || t_fail "control: $M is locked"
fsp apply --tab "$TAB" --root "$SR"
expect "apply --root: a mountpoint reached through a symlink is refused" 3 \
	"volume v: mountpoint /data is reached through a symbolic link below $SR"
[[ $(xfs_io -c "enckey_status $ID" "$M") == Absent* ]] &&
	t_ok "and the filesystem outside the root stays locked" ||
	t_fail "and the filesystem outside the root stays locked"
rm "$SR/data"
mkdir "$SR/data"
mount --bind "$M" "$SR/data"
fsp apply --tab "$TAB" --root "$SR"
expect "apply --root: the same filesystem mounted inside the root is unlocked" 0 "added to $SR/data by key_id"
umount "$SR/data"

t_done
