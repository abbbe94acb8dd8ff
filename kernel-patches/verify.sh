#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Boot a kernel image under QEMU and run the key_id scenarios against it.
# It fetches nothing and builds no kernel: it packs an initramfs (static
# busybox, the fscrypt-provision helper, keyctl with its libraries and
# guest-probe.c compiled statically), makes an ext4 image with the encrypt
# feature and boots KERNEL_IMAGE with it.
#
#   verify.sh [--expect patched|unpatched] [--helper PATH] [--work DIR]
#             [--timeout SECONDS] KERNEL_IMAGE
#
# --expect patched    (default) the kernel has this series (or is >= 5.6)
# --expect unpatched  the kernel has FS_IOC_ADD_ENCRYPTION_KEY but no key_id
#
# Needs: qemu-system-x86_64, a static /bin/busybox, keyctl, gcc (static
# glibc), cpio, gzip, mkfs.ext4. Every check prints "FSPV PASS|FAIL name";
# the guest reports its verdict through isa-debug-exit. Exit status: 0 all
# checks passed, 1 some failed, 2 usage or setup error, 3 no verdict (the
# guest crashed or timed out); the console log stays in the work directory.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
EXPECT=patched
HELPER=$HERE/../build/fscrypt-provision
WORK=
TIMEOUT=300

die() {
	echo "verify.sh: $*" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--expect)
		EXPECT=${2:?}
		shift 2
		;;
	--helper)
		HELPER=${2:?}
		shift 2
		;;
	--work)
		WORK=${2:?}
		shift 2
		;;
	--timeout)
		TIMEOUT=${2:?}
		shift 2
		;;
	-h | --help)
		sed -n '3,20s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || die "usage: verify.sh [--expect patched|unpatched] [--helper PATH] [--work DIR] KERNEL_IMAGE"
KERNEL=$1
case $EXPECT in patched | unpatched) ;; *) die "--expect patched|unpatched" ;; esac
[ -r "$KERNEL" ] || die "no kernel image $KERNEL"
[ -x "$HELPER" ] || die "no helper $HELPER (run make first)"
for t in qemu-system-x86_64 keyctl gcc cpio gzip mkfs.ext4; do
	command -v "$t" >/dev/null || die "$t not found"
done
BUSYBOX=$(command -v busybox) || die "busybox not found"
if readelf -d "$BUSYBOX" 2>/dev/null | grep -q NEEDED; then
	die "$BUSYBOX is not static (install busybox-static)"
fi

if [ -z "$WORK" ]; then
	WORK=$(mktemp -d /var/tmp/fsp-verify.XXXXXX) || die "mktemp failed"
fi
mkdir -p "$WORK" || die "cannot create $WORK"
ROOT=$WORK/initramfs
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,sbin,etc,keys,proc,sys,dev,mnt,tmp,run} || die "mkdir failed"

cp "$BUSYBOX" "$ROOT/bin/busybox"
cp "$HELPER" "$ROOT/bin/fscrypt-provision"
gcc -static -O2 -Wall -o "$ROOT/bin/guest-probe" "$HERE/guest-probe.c" ||
	die "cannot build guest-probe"
# keyctl is dynamically linked: bring its libraries along, same paths.
KEYCTL=$(command -v keyctl)
cp "$KEYCTL" "$ROOT/bin/keyctl"
for lib in $(ldd "$KEYCTL" | grep -o '/[^ ]*'); do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done

# Keys: the 64-byte key 0x01..0x40 has the v2 identifier
# 69b2f6edeee720cce0577937eb8a6751 (known answer); the others are random.
printf '%b' "$(printf '\\0%03o' $(seq 1 64))" >"$ROOT/keys/kat.bin"
head -c 32 "$ROOT/keys/kat.bin" >"$ROOT/keys/kat32.bin"
head -c 64 /dev/urandom >"$ROOT/keys/data.bin"
head -c 32 /dev/urandom >"$ROOT/keys/short.bin"
head -c 64 /dev/urandom >"$ROOT/keys/rv.bin"
head -c 64 /dev/urandom >"$ROOT/keys/bad.bin"
chmod 600 "$ROOT"/keys/*
cat >"$ROOT/etc/fscrypttab" <<'EOF'
data	/mnt	none	enc
short	/mnt	none
rv	/mnt	none
bad	/mnt	none
EOF

cat >"$ROOT/init" <<'GUEST'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# /run, as on any system: fscrypt-provision's writers' lock lives there.
mount -t tmpfs -o mode=0755 tmpfs /run
echo "FSPV kernel $(uname -r), init at $(cut -d' ' -f1 /proc/uptime) s"
EXPECT=$(sed -n 's/.*fsp\.expect=\([a-z]*\).*/\1/p' /proc/cmdline)
KAT=69b2f6edeee720cce0577937eb8a6751
M=/mnt
PASS=0
FAIL=0

ok() {
	PASS=$((PASS + 1))
	echo "FSPV PASS $1"
}
bad() {
	FAIL=$((FAIL + 1))
	echo "FSPV FAIL $1: $2"
}
# check NAME WANT GOT
check() {
	if [ "$3" = "$2" ]; then ok "$1"; else bad "$1" "want '$2', got '$3'"; fi
}
# fsp ARGS...: run the helper, keep RC, OUT and ERR
fsp() {
	fscrypt-provision "$@" >/tmp/out 2>/tmp/err
	RC=$?
	OUT=$(cat /tmp/out)
	ERR=$(cat /tmp/err)
}
show() {
	[ -n "$OUT" ] && echo "  out: $OUT" | head -n 5
	[ -n "$ERR" ] && echo "  err: $ERR" | head -n 5
}
json() {
	sed -n "s/^  \"$1\": \(.*\),\$/\1/p" /tmp/out
}
# payload TYPE RESERVED KEYFILE: a struct fscrypt_provisioning_key_payload
payload() {
	printf "\\$(printf %03o "$1")\\000\\000\\000\\$(printf %03o "$2")\\000\\000\\000"
	cat "$3"
}
# padd TYPE RESERVED KEYFILE DESC [RING]: add a provisioning key, print id
padd() {
	payload "$1" "$2" "$3" | keyctl padd fscrypt-provisioning "$4" "${5:-@u}" 2>/tmp/kerr
}
probe() {
	guest-probe add "$@" 2>&1
}
id_of() {
	fscrypt-provision identifier --key-file "$1" ${2:+--key-size "$2"}
}
finish() {
	echo "FSPV RESULT pass=$PASS fail=$FAIL expect=$EXPECT uptime=$(cut -d' ' -f1 /proc/uptime)"
	sync
	if [ "$FAIL" -eq 0 ] && [ "$PASS" -gt 0 ]; then
		guest-probe exit 0
	else
		guest-probe exit 1
	fi
	poweroff -f
}

mount -t ext4 /dev/vda $M || { bad "mount /dev/vda" "mount failed"; finish; }
ok "mount ext4 -O encrypt (4 KiB blocks)"

# Common to both kernels: a raw-key v2 add is unchanged. (A 32-byte key, so
# that the known-answer key is added to the filesystem only by key_id below.)
check "raw key add: kernel identifier = helper's" "ok $(id_of /keys/kat32.bin 32)" \
	"$(probe $M 0 32)"

if [ "$EXPECT" = unpatched ]; then
	fsp status --json $M
	check "status: key_id_supported false" false "$(json key_id_supported)"
	case $OUT in *'"provisioning_key_type": false'*) ok "status: no provisioning key type" ;;
	*) bad "status: no provisioning key type" "$OUT" ;; esac
	padd 2 0 /keys/kat.bin probe:nodev >/dev/null
	check "add_key fscrypt-provisioning: ENODEV" "add_key: No such device" "$(cat /tmp/kerr)"
	check "key_id=@u: EINVAL (reserved word)" EINVAL "$(probe $M "$(keyctl id @u)")"
	check "key_id with raw_size: EINVAL" EINVAL "$(probe $M 12345 64)"

	fsp add --volume data --key-file /keys/data.bin --add-to $M
	show
	check "add --add-to: exit 5 (unsupported)" 5 "$RC"
	case $ERR in *kernel-patches/*) ok "add --add-to: hint names kernel-patches/" ;;
	*) bad "add --add-to: hint names kernel-patches/" "$ERR" ;; esac
	fsp list --json
	case $OUT in *'"volume": "data"'*) bad "add --add-to provisioned nothing" "$OUT" ;;
	*) ok "add --add-to provisioned nothing" ;; esac

	printf 'data %s /keys/data.bin\n' $M >/tmp/dry.tab
	fsp apply --dry-run --tab /tmp/dry.tab
	show
	check "apply --dry-run: exit 5 (no key_id)" 5 "$RC"
	case $ERR in *"cannot keep it for key_id"*raw-fallback*) ok "apply --dry-run says why and names raw-fallback" ;;
	*) bad "apply --dry-run says why and names raw-fallback" "$ERR" ;; esac
	printf 'data %s /keys/data.bin - raw-fallback\n' $M >/tmp/dry.tab
	fsp apply --dry-run --tab /tmp/dry.tab
	show
	check "apply --dry-run with raw-fallback: exit 0" 0 "$RC"
	case $OUT in *"would add the raw key to $M"*) ok "apply --dry-run says it would add the raw key" ;;
	*) bad "apply --dry-run says it would add the raw key" "$OUT" ;; esac

	fsp add --volume data --key-file /keys/data.bin --add-to $M --allow-raw-fallback
	show
	check "add --add-to --allow-raw-fallback: exit 0" 0 "$RC"
	ID=$(id_of /keys/data.bin)
	mkdir $M/enc
	fsp set-policy $M/enc "$ID"
	check "set-policy with the raw-added key" 0 "$RC"
	head -c 100000 /dev/urandom >/tmp/blob
	cp /tmp/blob $M/enc/blob && cmp -s /tmp/blob $M/enc/blob
	check "files readable with the raw key" 0 "$?"
	umount $M && mount -t ext4 /dev/vda $M
	fsp unlock --volume data $M/enc
	show
	[ "$RC" -ne 0 ] && ok "after remount unlock cannot work (exit $RC)" ||
		bad "after remount unlock cannot work" "exit 0"
	[ -e $M/enc/blob ] && bad "locked after remount" "blob visible" ||
		ok "locked after remount"
	finish
fi

# ---- patched: the kernel interface, with keyctl and guest-probe ----
fsp status --json $M
check "status: key_id_supported true" true "$(json key_id_supported)"

K=$(padd 2 0 /keys/kat.bin probe:good)
[ -n "$K" ] && ok "add_key fscrypt-provisioning (64-byte key)" ||
	bad "add_key fscrypt-provisioning" "$(cat /tmp/kerr)"
check "permissions without read/write: 0x39010000" \
	"fscrypt-provisioning;0;0;39010000;probe:good" "$(keyctl rdescribe "$K")"
grep -q "probe:good: 72 \[2\]" /proc/keys && ok "/proc/keys: 'desc: 72 [2]'" ||
	bad "/proc/keys: 'desc: 72 [2]'" "$(grep probe:good /proc/keys)"
keyctl read "$K" >/dev/null 2>&1 && bad "keyctl read fails" "it read the key" ||
	ok "keyctl read fails"
echo x | keyctl pupdate "$K" 2>/dev/null && bad "keyctl update fails" "updated" ||
	ok "keyctl update fails"
for c in "3 0 kat.bin:type 3" "0 0 kat.bin:type 0" "2 1 kat.bin:reserved 1"; do
	set -- ${c%%:*}
	padd "$1" "$2" /keys/$3 probe:inval >/dev/null
	check "add_key ${c#*:}: EINVAL" "add_key: Invalid argument" "$(cat /tmp/kerr)"
done
head -c 15 /keys/kat.bin >/tmp/k15
head -c 16 /keys/kat.bin >/tmp/k16
cat /keys/kat.bin /tmp/k16 | head -c 65 >/tmp/k65
padd 2 0 /tmp/k15 probe:inval >/dev/null
check "add_key 15-byte raw key: EINVAL" "add_key: Invalid argument" "$(cat /tmp/kerr)"
padd 2 0 /tmp/k65 probe:inval >/dev/null
check "add_key 65-byte raw key: EINVAL" "add_key: Invalid argument" "$(cat /tmp/kerr)"
K16=$(padd 2 0 /tmp/k16 probe:k16)
[ -n "$K16" ] && ok "add_key 16-byte raw key" || bad "add_key 16-byte raw key" "$(cat /tmp/kerr)"
printf '\002\000\000\000\000\000\000\000' | keyctl padd fscrypt-provisioning probe:hdr @u >/dev/null 2>/tmp/kerr
check "add_key header only: EINVAL" "add_key: Invalid argument" "$(cat /tmp/kerr)"

check "key_id: identifier is the known answer" "ok $KAT" "$(probe $M "$K")"
check "key_id with raw_size 64: EINVAL" EINVAL "$(probe $M "$K" 64)"
check "key_id with a reserved word set: EINVAL" EINVAL "$(probe $M "$K" 0 1)"
check "key_id of a 16-byte key" ok "$(probe $M "$K16" | cut -c1-2)"
check "key_id=@u (a keyring): EKEYREJECTED" EKEYREJECTED "$(probe $M "$(keyctl id @u)")"
U=$(printf 0123456789abcdef0123456789abcdef | keyctl padd user probe:user @u)
check "key_id of a user key: EKEYREJECTED" EKEYREJECTED "$(probe $M "$U")"
V1=$(padd 1 0 /keys/kat.bin probe:v1)
check "payload type 1, spec type 2: EKEYREJECTED" EKEYREJECTED "$(probe $M "$V1")"
check "payload type 1, spec type 1 (v1, root)" ok "$(probe $M "$V1" 0 0 1)"
check "payload type 2, spec type 1: EKEYREJECTED" EKEYREJECTED "$(probe $M "$K" 0 0 1)"
check "key_id of no key: ENOKEY" ENOKEY "$(probe $M 0x7ffffff0)"
I=$(padd 2 0 /keys/kat.bin probe:inv)
keyctl invalidate "$I"
check "invalidated key: ENOKEY" ENOKEY "$(probe $M "$I")"
E=$(padd 2 0 /keys/kat.bin probe:exp)
keyctl timeout "$E" 1
sleep 2
check "expired key: EKEYEXPIRED" EKEYEXPIRED "$(probe $M "$E")"
A=$(padd 2 0 /keys/kat.bin probe:acc)
check "not possessed, owner has View only: EACCES" EACCES \
	"$(keyctl session - guest-probe add $M "$A" 2>/dev/null | tail -n 1)"
keyctl setperm "$A" 0x39090000
check "not possessed, owner has Search: ok" "ok $KAT" \
	"$(keyctl session - guest-probe add $M "$A" 2>/dev/null | tail -n 1)"

# The filesystem keeps its own copy: revoking the keyring key changes nothing.
mkdir $M/kat
fsp set-policy $M/kat $KAT
check "set-policy with the key added by key_id" 0 "$RC"
echo kat >$M/kat/f
keyctl revoke "$K"
check "revoked key: EKEYREVOKED" EKEYREVOKED "$(probe $M "$K")"
fsp status --json $M/kat
check "revoking the keyring key leaves the fs key present" '"present"' "$(json key_status)"
check "files still readable after the revoke" kat "$(cat $M/kat/f 2>&1)"

# ---- patched: the helper's flow ----
ID=$(id_of /keys/data.bin)
printf 'data %s /keys/data.bin\n' $M >/tmp/dry.tab
fsp apply --dry-run --tab /tmp/dry.tab
check "apply --dry-run: exit 0" 0 "$RC"
case $OUT in *"key $ID from /keys/data.bin is valid; apply would provision it and add it to $M by key_id"*)
	ok "apply --dry-run says it would add by key_id" ;;
*) bad "apply --dry-run says it would add by key_id" "$OUT" ;; esac
fsp add --volume data --key-file /keys/data.bin --add-to $M
show
check "add --add-to: exit 0" 0 "$RC"
case $OUT in *"added to $M by key_id"*) ok "add --add-to added by key_id (identifier checked)" ;;
*) bad "add --add-to added by key_id" "$OUT" ;; esac
S=$(keyctl search %:fscrypt-provision fscrypt-provisioning "fscrypt-provision:data:$ID" 2>/dev/null)
[ -n "$S" ] && ok "provisioning key found by description" || bad "provisioning key found" "none"
keyctl read "$S" >/dev/null 2>&1 && bad "helper's key unreadable" "read it" ||
	ok "helper's key unreadable"
fsp add --volume data --key-file /keys/data.bin --add-to $M
check "add again is idempotent" 0 "$RC"
mkdir $M/enc
fsp set-policy $M/enc "$ID"
check "set-policy" 0 "$RC"
head -c 300000 /dev/urandom >/tmp/blob
cp /tmp/blob $M/enc/blob
mkdir $M/enc/sub && echo hello >$M/enc/sub/note
sync
umount $M && mount -t ext4 /dev/vda $M
check "umount + mount" 0 "$?"
fsp status --json $M/enc
check "status after remount: key absent" '"absent"' "$(json key_status)"
check "status after remount: provisioned" true "$(json provisioned)"
[ -e $M/enc/blob ] && bad "locked after remount" "blob visible" || ok "locked after remount"
keyctl session - fscrypt-provision unlock --volume data $M/enc >/tmp/out 2>/tmp/err
RC=$?
OUT=$(cat /tmp/out)
ERR=$(grep -v '^Joined session keyring' /tmp/err)
show
check "unlock from a fresh session keyring: exit 0" 0 "$RC"
cmp -s /tmp/blob $M/enc/blob
check "files byte-identical after unlock" 0 "$?"
check "nested file readable" hello "$(cat $M/enc/sub/note 2>&1)"
fsp status --json $M/enc
check "status after unlock: key present" '"present"' "$(json key_status)"

fsp add --volume short --key-file /keys/short.bin --key-size 32 --timeout 1
check "add --timeout 1" 0 "$RC"
sleep 2
fsp unlock --volume short $M
show
check "expired provisioning key: unlock exit 7" 7 "$RC"

fsp add --volume rv --key-file /keys/rv.bin
check "add (volume rv)" 0 "$RC"
RV=$(keyctl search %:fscrypt-provision fscrypt-provisioning "fscrypt-provision:rv:$(id_of /keys/rv.bin)" 2>/dev/null)
keyctl revoke "$RV"
fsp unlock --volume rv $M
show
check "revoked provisioning key: unlock exit 7" 7 "$RC"

B=$(padd 1 0 /keys/bad.bin "fscrypt-provision:bad:$(id_of /keys/bad.bin)" %:fscrypt-provision)
[ -n "$B" ] || bad "keyctl padd payload type 1" "$(cat /tmp/kerr)"
keyctl setperm "$B" 0x39090000
fsp unlock --volume bad $M
show
check "payload type 1 (wrong type word): unlock exit 6" 6 "$RC"

fsp remove --volume data $M/enc
show
check "remove: exit 0" 0 "$RC"
fsp status --json $M/enc
check "status after remove: key absent" '"absent"' "$(json key_status)"
keyctl search %:fscrypt-provision fscrypt-provisioning "fscrypt-provision:data:$ID" >/dev/null 2>&1 &&
	bad "provisioning key gone after remove" "still found" ||
	ok "provisioning key gone after remove"
[ -e $M/enc/blob ] && bad "locked after remove" "blob visible" || ok "locked after remove"
finish
GUEST
chmod 755 "$ROOT/init"

(cd "$ROOT" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet | gzip -1) \
	>"$WORK/initramfs.cpio.gz" || die "cpio failed"
rm -f "$WORK/disk.img"
truncate -s 64M "$WORK/disk.img"
mkfs.ext4 -q -F -b 4096 -O encrypt "$WORK/disk.img" || die "mkfs.ext4 failed"

echo "verify.sh: booting $KERNEL (expect $EXPECT), log in $WORK/console.log"
START=$(date +%s.%N)
timeout "$TIMEOUT" qemu-system-x86_64 -machine q35 -cpu max -m 256 -smp 1 \
	-nographic -no-reboot \
	-kernel "$KERNEL" -initrd "$WORK/initramfs.cpio.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4 random.trust_cpu=on fsp.expect=$EXPECT" \
	-drive "file=$WORK/disk.img,if=virtio,format=raw" \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	</dev/null >"$WORK/console.log" 2>&1
QRC=$?
END=$(date +%s.%N)
tr -d '\r' <"$WORK/console.log" | grep -E '^(FSPV|  (out|err):)' || true
PASSES=$(grep -c '^FSPV PASS' "$WORK/console.log")
FAILS=$(grep -c '^FSPV FAIL' "$WORK/console.log")
printf 'verify.sh: qemu exit %s after %.1f s; %s passed, %s failed\n' \
	"$QRC" "$(echo "$END - $START" | bc)" "$PASSES" "$FAILS"
case $QRC in
1) exit 0 ;;
3) exit 1 ;;
*)
	echo "verify.sh: no verdict from the guest; see $WORK/console.log" >&2
	exit 3
	;;
esac
