#!/bin/bash
# make demo (host version): a key that survives an unmount and remount,
# with no raw key left in userspace. Needs root, a loop device and ext4.
set -u
cd "$(dirname "$0")/.." || exit 2
FSP=$PWD/build/fscrypt-provision
[ "$(id -u)" = 0 ] || { echo "demo: run as root (it mounts a loop image)"; exit 2; }
W=$(mktemp -d /tmp/fsp-demo.XXXXXX)
KR=fsp-demo-$$
LOOP=
cleanup() {
	mountpoint -q "$W/mnt" && umount "$W/mnt"
	[ -n "$LOOP" ] && losetup -d "$LOOP"
	id=$(keyctl show @u 2>/dev/null | awk -v kr="$KR" '$0 ~ "keyring: " kr "$" {print $1}')
	[ -n "$id" ] && keyctl unlink "$id" @u >/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*"; exit 1; }

step "1. an ext4 image with the encrypt feature, loop-mounted"
truncate -s 64M "$W/disk.img" && mkfs.ext4 -q -O encrypt "$W/disk.img" || fail mkfs
LOOP=$(losetup -f --show "$W/disk.img") && mkdir "$W/mnt" && mount "$LOOP" "$W/mnt" || fail mount
echo "mounted $LOOP on $W/mnt"

step "2. a random 64-byte master key, provisioned into the kernel"
head -c 64 /dev/urandom >"$W/master.key" && chmod 0400 "$W/master.key"
$FSP add --keyring "$KR" --volume demo --key-file "$W/master.key" --add-to "$W/mnt" || fail add
ID=$($FSP identifier --key-file "$W/master.key")

step "3. an encrypted directory with a file in it"
mkdir "$W/mnt/secret" && $FSP set-policy "$W/mnt/secret" "$ID" || fail set-policy
echo "the quick brown fox" >"$W/mnt/secret/note.txt"
cat "$W/mnt/secret/note.txt"

step "4. the raw key leaves userspace: the key file is shredded"
shred -u "$W/master.key" && echo "key file gone; the kernel holds the only copy"
$FSP list --keyring "$KR" || fail list
echo "(keyctl read on the provisioning key fails: the type has no read operation)"
SERIAL=$($FSP list --keyring "$KR" --json | jq -r '.[0].key_id')
[ -n "$SERIAL" ] && [ "$SERIAL" != null ] || fail "list --json names no key"
keyctl read "$SERIAL" 2>&1 | sed 's/^/  keyctl: /'

step "5. an update: unmount and mount again (the filesystem key dies)"
umount "$W/mnt" && mount "$LOOP" "$W/mnt" || fail remount
ls "$W/mnt/secret"
$FSP status "$W/mnt/secret" --keyring "$KR" | grep -E 'key status|provisioned' || fail status

step "6. re-provision by key id, from a process that possesses no keys"
keyctl session - "$FSP" unlock --keyring "$KR" --volume demo "$W/mnt" 2>&1 | grep -v '^Joined'
got=$(cat "$W/mnt/secret/note.txt" 2>/dev/null)
echo "note.txt: $got"
[ "$got" = "the quick brown fox" ] || fail "file not readable after re-provisioning"
echo
echo "PASS: the key survived unmount and remount in kernel memory only"
