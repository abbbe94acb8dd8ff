#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs docs/getting-started.md: every fenced `sh` block, in order, in one
# root shell (set -e), once per initramfs generator (dracut, then
# initramfs-tools), inside a copy of this Debian 12 machine that lives in
# an overlay over its root and is thrown away afterwards. What the guide
# itself cannot do here, this sets up around it (docs/getting-started.md,
# "How this guide is tested"): DATA_DEV is a loop device, /dev/tpmrm0 a
# swtpm behind a pty (tpm-tis on a real machine), and the `sh reboot` block
# becomes a stand-in boot that runs the image's own helper and table.
#
# Prints "ok - ..." / "not ok - ..." lines (tests/run-all.sh counts them).
# Needs root. GUIDE_GENERATORS (default "dracut initramfs-tools") picks
# the runs; GUIDE_KEEP=1 keeps the logs and the images the guide built.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
GUIDE=$ROOT/docs/getting-started.md
HERE=$ROOT/tests/guide
W=$(mktemp -d /var/tmp/fsp-guide.XXXXXX)
FAILED=0
M='' LOOP='' RELAY_PID=''
DEBS=$W/debs

ok() { printf 'ok - %s\n' "$1"; }
not_ok() {
	printf 'not ok - %s\n' "$1"
	FAILED=$((FAILED + 1))
}

cleanup() {
	machine_down
	tpm_down
	if [[ ${GUIDE_KEEP-} ]]; then
		echo "# kept: $W (run-*.log)"
	else
		rm -rf "$W"
	fi
}
trap cleanup EXIT

# guide_script GENERATOR: the guide's blocks for GENERATOR as one script.
# The first block that sets DATA_DEV is followed by the test's own value.
guide_script() {
	awk -v gen="$1" '
		/^```sh( [a-z-]+)?$/ { tag = $2; on = (tag == "" || tag == gen || tag == "reboot")
			if (on) printf "# --- %s:%d %s\n", FILENAME, NR, tag; next }
		/^```/ { if (on && tag == "reboot") print "guide_reboot"
			if (on && set) { print "DATA_DEV=$GUIDE_DATA_DEV"; set = 0; done = 1 }
			on = 0; next }
		on && tag != "reboot" { print; if (!done && $0 ~ /^DATA_DEV=/) set = 1 }
	' "$GUIDE"
}

# --- the machine: an overlay over / with its own /dev, /run and /tmp ---

machine_up() {
	mkdir -p "$W/t" && mount -t tmpfs -o size=3g,mode=0700 fsp-guide "$W/t" || return 1
	mkdir -p "$W/t/upper" "$W/t/work" "$W/t/root" || return 1
	M=$W/t/root
	mount -t overlay fsp-guide -o "lowerdir=/,upperdir=$W/t/upper,workdir=$W/t/work" "$M" || return 1
	mount -t proc proc "$M/proc" && mount --rbind /sys "$M/sys" &&
		mount --make-rslave "$M/sys" || return 1
	mount -t tmpfs -o mode=0755 fsp-guide-run "$M/run" &&
		mount -t tmpfs -o mode=1777 fsp-guide-tmp "$M/tmp" || return 1
	mount -t tmpfs -o mode=0755 fsp-guide-dev "$M/dev" || return 1
	local d
	for d in null zero full random urandom tty loop-control "$LOOP"; do
		d=${d#/dev/}
		touch "$M/dev/$d" && mount --bind "/dev/$d" "$M/dev/$d" || return 1
	done
	mkdir -p "$M/dev/pts" "$M/dev/shm" && mount --bind /dev/pts "$M/dev/pts" &&
		mount -t tmpfs -o mode=1777 fsp-guide-shm "$M/dev/shm" || return 1
	ln -s /proc/self/fd "$M/dev/fd" && ln -s fd/0 "$M/dev/stdin" &&
		ln -s fd/1 "$M/dev/stdout" && ln -s fd/2 "$M/dev/stderr" || return 1
	ln -s "$(readlink "$W/tpmrm0")" "$M/dev/tpmrm0"
}

machine_down() {
	[[ $M ]] || return 0
	# No provisioning key of the guide's stays in root's user keyring.
	# shellcheck disable=SC2016 # expanded in the machine
	chroot "$M" sh -c 'id=$(keyctl search @u keyring fscrypt-provision 2>/dev/null) &&
		keyctl unlink "$id" @u' > /dev/null 2>&1
	umount -R -l "$M" 2> /dev/null
	umount -l "$W/t" 2> /dev/null
	M=
}

# --- the TPM: swtpm, its PCR 7 as firmware leaves it, behind a pty ------

# The QEMU tests' host swtpm (fsp_tpm2_host_start, FSP_TPM2_SEPARATOR);
# err is the one lib.sh function it calls.
err() { echo "# error: $*" >&2; }
# shellcheck source=../qemu/tpm2.sh
. "$ROOT/tests/qemu/tpm2.sh"

tpm_up() {
	fsp_tpm2_host_start "$W/tpm" || return 1
	# A firmware's EV_SEPARATOR, as QEMU's SeaBIOS leaves PCR 7: a PCR
	# policy on 7 then binds to something.
	tpm2_pcrextend "7:sha256=$FSP_TPM2_SEPARATOR" || return 1
	python3 "$HERE/tpm-pty.py" "$W/tpmrm0" "${FSP_TPM2_TCTI##*port=}" > "$W/relay.log" 2>&1 &
	RELAY_PID=$!
	for _ in $(seq 50); do
		[[ -L $W/tpmrm0 ]] && return 0
		sleep 0.1
	done
	return 1
}

tpm_down() {
	[[ $RELAY_PID ]] && kill "$RELAY_PID" 2> /dev/null && wait "$RELAY_PID" 2> /dev/null
	[[ ${FSP_TPM2_HOST_PID-} ]] && fsp_tpm2_host_stop
	RELAY_PID='' FSP_TPM2_HOST_PID=''
	# The next tpm_up waits for the new relay's link.
	rm -f "$W/tpmrm0"
}

# --- the stand-in boot, defined in the guide's shell ---------------------

# What a boot does between the guide's `systemctl reboot` and its next
# block: the keys of this boot go (the filesystem's with the unmount, the
# keyring's unlinked); the image step 5 built is unpacked and its own
# helper, table, slots file and TPM companion provision the key from the
# TPM (the initramfs's apply) and extend PCR 15 (tpm2-extend); then /data
# is mounted and the generator's unit runs its `unlock`.
write_env() {
	cat > "$M/root/guide-env.sh" << 'ENV'
guide_reboot() {
	local img d id
	umount /data
	id=$(keyctl search @u keyring fscrypt-provision)
	keyctl unlink "$id" @u > /dev/null
	img=$(ls /boot/initrd.img-* | head -n 1)
	d=$(mktemp -d /var/tmp/initrd.XXXXXX)
	if [ "$GUIDE_GENERATOR" = initramfs-tools ]; then
		unmkinitramfs "$img" "$d"
		[ -d "$d/main" ] && d=$d/main
	else
		(cd "$d" && lsinitrd --unpack "$img")
	fi
	# initramfs-tools' init makes these itself.
	mkdir -p "$d/proc" "$d/dev" "$d/run"
	mount -t proc proc "$d/proc"
	mount --rbind /dev "$d/dev"
	mount -t tmpfs tmpfs "$d/run"
	echo "guide: the boot's apply, from $img"
	chroot "$d" /usr/sbin/fscrypt-provision apply
	# The initramfs is done: PCR 15 is extended. Its /run, with the record
	# of PCR 15's value before, becomes the system's.
	chroot "$d" /usr/sbin/fscrypt-provision tpm2-extend
	rm -rf /run/fscrypt-provision && cp -a "$d/run/fscrypt-provision" /run/
	umount -R -l "$d/dev" "$d/proc" "$d/run"
	mount /data
	echo "guide: the unit's unlock"
	fscrypt-provision unlock --volume data /data
}
ENV
}

# run GENERATOR: the guide for one generator, in a fresh machine.
run() {
	local gen=$1 script=$W/guide-$1.sh t0=$SECONDS
	guide_script "$gen" > "$script"
	if compgen -G "$DEBS/*.deb" > /dev/null; then
		sed -i 's/^dpkg-buildpackage .*/: "dpkg-buildpackage: the first run built the packages"/' "$script"
	fi
	truncate -s 64M "$W/data-$gen.img" && LOOP=$(losetup -f --show "$W/data-$gen.img") || {
		not_ok "$gen: a loop device for DATA_DEV"
		return
	}
	machine_up || {
		not_ok "$gen: the machine's overlay"
		return
	}
	mkdir -p "$M/root/fscrypt-provision" &&
		(cd "$ROOT" && git ls-files -co --exclude-standard -z | grep -zv '^build/' |
			tar --null -T - -cf -) | tar -xf - -C "$M/root/fscrypt-provision" || {
		not_ok "$gen: the checkout in the machine"
		return
	}
	cp "$DEBS"/*.deb "$M/root/" 2> /dev/null
	write_env
	if [[ $gen == initramfs-tools ]]; then
		# A Debian machine of initramfs-tools already has its images.
		chroot "$M" sh -c 'apt-get install -q -y initramfs-tools && update-initramfs -c -k all' \
			> "$W/prep-$gen.log" 2>&1 || {
			not_ok "$gen: the machine's initramfs-tools (log: $(tail -n 3 "$W/prep-$gen.log"))"
			return
		}
	fi
	cp "$script" "$M/root/guide.sh"
	# Not the host swtpm's TCTI (fsp_tpm2_host_start exports it): the
	# machine has /dev/tpmrm0, as a real one.
	if env -u TPM2TOOLS_TCTI -u TSS2_LOG GUIDE_DATA_DEV="$LOOP" GUIDE_GENERATOR="$gen" \
		chroot "$M" keyctl session fsp-guide bash -c '
		set -euo pipefail
		keyctl link @u @s
		cd /root/fscrypt-provision
		. /root/guide-env.sh
		set -x
		. /root/guide.sh' > "$W/run-$gen.log" 2>&1; then
		ok "$gen: every command of the guide ran ($((SECONDS - t0)) s)"
	else
		not_ok "$gen: the guide stopped at: $(grep '^+' "$W/run-$gen.log" | tail -n 1)"
		sed 's/^/#   /' "$W/run-$gen.log" | tail -n 25
	fi
	cp "$M"/root/*.deb "$DEBS/" 2> /dev/null
	[[ ${GUIDE_KEEP-} ]] && mkdir -p "$W/boot-$gen" && cp "$M"/boot/initrd.img-* "$W/boot-$gen/" 2> /dev/null
	guide_checks "$gen"
	machine_down
	losetup -d "$LOOP"
}

# guide_checks GENERATOR: what the guide's run must have shown.
guide_checks() {
	local gen=$1 log=$W/run-$1.log
	grep -q '^guide: the boot.s apply' "$log" &&
		sed -n '/^guide: the boot.s apply/,/^guide: the unit/p' "$log" |
		grep -q '^apply: 1 volume ready, 0 failed' &&
		ok "$gen: the image's own helper provisioned data's key from the TPM" ||
		not_ok "$gen: the stand-in boot's apply"
	[[ $(grep -c '^written before the first reboot$' "$log") == 2 ]] &&
		ok "$gen: /data/secret/hello.txt read back after the boot and after the update" ||
		not_ok "$gen: /data/secret/hello.txt was not read back twice (after the boot, after the update)"
}

[[ $(id -u) == 0 ]] || {
	not_ok "the guide's test needs root"
	exit 1
}
for tool in swtpm tpm2_pcrextend python3 losetup dpkg-buildpackage; do
	command -v "$tool" > /dev/null || {
		not_ok "$tool is missing (tools/packages)"
		exit 1
	}
done
if keyctl search @u keyring fscrypt-provision > /dev/null 2>&1; then
	not_ok "root's user keyring already holds a keyring 'fscrypt-provision': the guide would use it"
	exit 1
fi
mkdir -p "$DEBS"
# Each machine boots its TPM afresh: the previous one's initramfs left
# PCR 15 extended.
for gen in ${GUIDE_GENERATORS:-dracut initramfs-tools}; do
	if tpm_up; then
		run "$gen"
	else
		not_ok "$gen: the software TPM (log: $(tail -n 3 "$W/tpm/swtpm-host.log" "$W/relay.log" 2> /dev/null))"
	fi
	tpm_down
done
((FAILED == 0))
