#!/bin/bash
# fsp-host: alone (tests/run-all.sh): the update tools use their own fixed
# paths, so they run one at a time, as they always did.
# RAUC 1.8 (a private dbus-daemon) with the hooks/rauc adapters (handlers
# and bundle hooks): the cases (a), (b) and (c) of lib.sh.
# shellcheck disable=SC2119 # data_volume takes an optional nofail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
need_tools rauc dbus-daemon dbus-send mksquashfs openssl xfs_io jq

# -------------------------------------------------------------------- RAUC
# rauc service on a private system bus, two ext4 slots on loop devices,
# bootloader=noop, a plain bundle (no dm-verity here). Two setups:
#   handlers: system.conf [handlers] pre-install= and post-install= are the
#             adapters; the bundle's own hook remounts in slot-post-install;
#   bundle:   no handlers; the bundle's hook is a test wrapper that
#             remounts in slot-post-install and otherwise hands over to
#             hooks/rauc/bundle-hook, carried in the bundle.
t0=$(now)
RA=$T_WORK/rauc
mkdir -p "$RA/mnt" "$RA/data" "$RA/rootfs" "$RA/b1" "$RA/b2"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$RA/key.pem" -out "$RA/cert.pem" \
	-subj /CN=fsp-hooktest-rauc -days 2 >/dev/null 2>&1
for s in A B; do
	truncate -s 8M "$RA/slot$s.img"
	mkfs.ext4 -q -F "$RA/slot$s.img"
	cp "$RA/slot$s.img" "$RA/slot$s.orig"
	loop=$(losetup -f --show "$RA/slot$s.img")
	T_LOOPS+=("$loop")
	eval "RA_$s=$loop"
done
cat >"$RA/dbus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$RA/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
EOF
rauc_conf() { # FILE [handlers]
	cat >"$1" <<EOF
[system]
compatible=fsp-hooktest
bootloader=noop
data-directory=$RA/data
mountprefix=$RA/mnt

[keyring]
path=$RA/cert.pem

[slot.rootfs.0]
device=$RA_A
type=ext4
bootname=A

[slot.rootfs.1]
device=$RA_B
type=ext4
bootname=B
EOF
	[ -z "${2-}" ] || printf '\n[handlers]\npre-install=%s\npost-install=%s\n' \
		"$HOOKS/rauc/pre-install" "$HOOKS/rauc/post-install" >>"$1"
}
rauc_conf "$RA/handlers.conf" handlers
rauc_conf "$RA/bundle.conf"
head -c 300K /dev/urandom >"$RA/rootfs/blob"
truncate -s 8M "$RA/rootfs.ext4"
mkfs.ext4 -q -F -d "$RA/rootfs" "$RA/rootfs.ext4"
# b1: the slot-post-install hook only remounts (handlers do pre and post).
cp "$RA/rootfs.ext4" "$RA/b1/"
cat >"$RA/b1/hook" <<EOF
#!/bin/sh
[ "\$1" = slot-post-install ] && exec '$REMOUNT'
exit 0
EOF
# b2: the test's hook remounts, then hands over to the adapter's bundle hook.
cp "$RA/rootfs.ext4" "$RA/b2/"
cp "$HOOKS/rauc/bundle-hook" "$RA/b2/fscrypt-provision-hook"
cat >"$RA/b2/hook" <<EOF
#!/bin/sh
[ "\$1" = slot-post-install ] && { '$REMOUNT' || exit 1; }
exec "\$(dirname "\$0")/fscrypt-provision-hook" "\$@"
EOF
chmod +x "$RA/b1/hook" "$RA/b2/hook" "$RA/b2/fscrypt-provision-hook"
for b in b1 b2; do
	cat >"$RA/$b/manifest.raucm" <<EOF
[update]
compatible=fsp-hooktest
version=2

[bundle]
format=plain

[hooks]
filename=hook

[image.rootfs]
filename=rootfs.ext4
hooks=pre-install;post-install
EOF
	rauc bundle --cert "$RA/cert.pem" --key "$RA/key.pem" "$RA/$b" "$RA/$b.raucb" >"$RA/bundle.log" 2>&1 ||
		t_fail "rauc bundle $b" "$(cat "$RA/bundle.log")"
done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$RA/bus
dbus-daemon --config-file="$RA/dbus.conf" --nofork --nopidfile >"$RA/dbus.log" 2>&1 &
DBUS_PID=$!
bus_has() { # NAME -- the private bus is up and NAME has an owner
	dbus-send --system --print-reply --reply-timeout=1000 --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}
# rauc service gives up at once if the bus socket is not there yet.
for _ in $(seq 200); do
	bus_has org.freedesktop.DBus && break
	sleep 0.05
done
bus_has org.freedesktop.DBus || t_fail "the private dbus-daemon comes up" "$(tail -n 5 "$RA/dbus.log")"
rauc_service() { # CONF -- (re)starts rauc service, waits for its bus name
	if [ -n "$RAUC_PID" ]; then
		kill "$RAUC_PID" && wait "$RAUC_PID" 2>/dev/null
		RAUC_PID=
	fi
	rauc -c "$1" --override-boot-slot=A service >>"$RA/service.log" 2>&1 &
	RAUC_PID=$!
	for _ in $(seq 100); do
		bus_has de.pengutronix.rauc && return 0
		kill -0 "$RAUC_PID" 2>/dev/null || break
		sleep 0.05
	done
	t_fail "rauc service with $(basename "$1") comes up" "$(tail -n 5 "$RA/service.log")"
	return 1
}
# RAUC logs what handlers and hooks print in the service's log (the journal
# on a real system); "rauc install" itself says only which one failed.
ra_run() { # BUNDLE -- sets RC and OUT (client output, then the service's log of this run)
	local from
	cat "$RA/slotB.orig" >"$RA_B" # the old software: slot-pre-install mounts it
	from=$(wc -l <"$RA/service.log")
	OUT=$("${T[@]}" rauc install "$1" 2>&1)
	RC=$?
	OUT+=$'\n'$(tail -n +$((from + 1)) "$RA/service.log")
}
# By the filesystem UUID: the slot hooks mount the slot, which touches its
# superblock.
uuid() { blkid -p -o value -s UUID "$1"; }
ra_slot_written() { [ "$(uuid "$RA_B")" = "$(uuid "$RA/rootfs.ext4")" ]; }
ra_slot_not_written() { [ "$(uuid "$RA_B")" = "$(uuid "$RA/slotB.orig")" ]; }
for setup in handlers bundle; do
	t1=$(now)
	bundle=$RA/b1.raucb
	[ "$setup" = bundle ] && bundle=$RA/b2.raucb
	rauc_service "$RA/$setup.conf" || break
	data_volume
	ra_run "$bundle"
	updater_case "rauc ($setup): update remounts the data volume, files readable after" a "$RC" "$OUT" - ra_slot_written
	data_volume
	revoke_between
	ra_run "$bundle"
	updater_case "rauc ($setup): key revoked between pre and post fails the update" b "$RC" "$OUT" -
	data_volume
	revoke_now
	before=$(mount_id)
	ra_run "$bundle"
	updater_case "rauc ($setup): pre refuses a revoked key before anything is unmounted" c "$RC" "$OUT" "$before" ra_slot_not_written
	echo "# rauc ($setup): 3 updates in $(elapsed "$t1") s"
done
echo "# rauc: $(elapsed "$t0") s with setup"

t_done
