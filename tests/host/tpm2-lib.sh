# shellcheck shell=bash
# A software TPM for host tests: swtpm behind tpm2-abrmd (a resource
# manager, as the kernel's /dev/tpmrm0 is: without one, systemd-creds 252
# leaves sessions loaded in swtpm and the fourth call fails) on a private
# D-Bus bus. Sourced after lib.sh. Sets TPM_DEV, the TCTI the helper, the
# tpm2-tools and systemd-measure are given, and D, the helper's option that
# names it.

TPM_DIR=$T_WORK/tpm
TPM_PORT=
TPM_SWTPM_PID=
TPM_ABRMD_PID=
TPM_DBUS_PID=
# tpm_use TCTI: TPM_DEV, D and the tpm2-tools' TCTI all name TCTI.
tpm_use() {
	TPM_DEV=$1
	# shellcheck disable=SC2034 # used by the tests that source this
	D=(--tpm2-device "$TPM_DEV")
	export TPM2TOOLS_TCTI=$TPM_DEV
}
tpm_use tabrmd:bus_type=session
# The TSS libraries log their own errors on stderr; the helper keeps them
# out of its messages, the test's own tpm2-tools calls need not show them.
export TSS2_LOG=all+none

# shellcheck source=../swtpm.sh
. "$(dirname "${BASH_SOURCE[0]}")/../swtpm.sh"

tpm_swtpm_start() {
	if ! swtpm_tcp_start "$TPM_DIR/state" "$TPM_DIR/swtpm.log"; then
		echo "swtpm did not start" >&2
		return 1
	fi
	TPM_SWTPM_PID=$SWTPM_PID TPM_PORT=$SWTPM_PORT
}

tpm_abrmd_start() {
	tpm2-abrmd --session --allow-root \
		--tcti=swtpm:host=127.0.0.1,port="$TPM_PORT" >>"$TPM_DIR/abrmd.log" 2>&1 &
	TPM_ABRMD_PID=$!
	for _ in $(seq 50); do
		tpm2_getcap properties-fixed >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "tpm2-abrmd did not start" >&2
	return 1
}

tpm_start() {
	mkdir -p "$TPM_DIR/state" && chmod 700 "$TPM_DIR"
	cat >"$TPM_DIR/bus.conf" <<-CONF
		<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
		 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
		<busconfig><type>session</type><listen>unix:path=$TPM_DIR/bus</listen>
		<policy context="default"><allow send_destination="*" eavesdrop="true"/>
		<allow eavesdrop="true"/><allow own="*"/></policy>
		</busconfig>
	CONF
	TPM_DBUS_PID=$(dbus-daemon --config-file="$TPM_DIR/bus.conf" --fork --print-pid) || return 1
	export DBUS_SESSION_BUS_ADDRESS=unix:path=$TPM_DIR/bus
	tpm_swtpm_start && tpm_abrmd_start
}

# A host test's start: a TPM (stopped at exit), or one failed check and
# the end of the test.
tpm_test_start() {
	trap 'tpm_stop; t_cleanup' EXIT
	if ! tpm_start; then
		t_fail "swtpm and tpm2-abrmd start (tools/packages installs them)" "$(cat "$TPM_DIR"/*.log 2>/dev/null)"
		exit 1
	fi
	t_ok "a software TPM answers over $TPM_DEV"
}

# A host test's start with no resource manager: the helper and the
# tpm2-tools speak to swtpm over its own TCTI, as to /dev/tpm0, and what a
# program leaves loaded in the TPM stays there. Sets TPM_DEV (and D) to
# that TCTI.
tpm_direct_test_start() {
	trap 'tpm_stop; t_cleanup' EXIT
	mkdir -p "$TPM_DIR/state" && chmod 700 "$TPM_DIR"
	if ! tpm_swtpm_start; then
		t_fail "swtpm starts (tools/packages installs it)" "$(cat "$TPM_DIR"/*.log 2>/dev/null)"
		exit 1
	fi
	tpm_use "swtpm:host=127.0.0.1,port=$TPM_PORT"
	check "a software TPM answers over $TPM_DEV, no resource manager" tpm2_getcap properties-fixed
}

# tpm_loaded: what the TPM holds loaded, one handle a line (transient
# objects, then sessions); nothing when it holds nothing.
tpm_loaded() {
	tpm2_getcap handles-transient && tpm2_getcap handles-loaded-session
}

# An orderly power cycle: the PCRs start from zero again, and the TPM does
# not count it against its dictionary-attack protection.
tpm_reboot() {
	tpm2_shutdown -c >/dev/null 2>&1
	tpm_halt
	tpm_swtpm_start && tpm_abrmd_start
}

# A power cut: no TPM2_Shutdown first, as when a device loses power.
tpm_power_cut() {
	tpm_halt
	tpm_swtpm_start && tpm_abrmd_start
}

tpm_halt() {
	local p
	for p in "$TPM_ABRMD_PID" "$TPM_SWTPM_PID"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	TPM_ABRMD_PID='' TPM_SWTPM_PID=''
}

tpm_stop() {
	tpm_halt
	[ -n "$TPM_DBUS_PID" ] && kill "$TPM_DBUS_PID" 2>/dev/null
	TPM_DBUS_PID=
}

# tpm_measure PCR TEXT: what firmware or a boot stub would extend.
tpm_measure() {
	tpm2_pcrextend "$1:sha256=$(printf '%s' "$2" | sha256sum | cut -c1-64)"
}

# tpm_boot_image FILE: PCR 11 as systemd-stub leaves it for a UKI whose
# .linux section is FILE, entering the initrd: the name with its NUL, the
# contents, then the phase "enter-initrd" (systemd-pcrphase).
tpm_boot_image() {
	tpm2_pcrextend "11:sha256=$(printf '.linux\0' | sha256sum | cut -c1-64)" &&
		tpm2_pcrextend "11:sha256=$(sha256sum <"$1" | cut -c1-64)" &&
		tpm2_pcrextend "11:sha256=$(printf 'enter-initrd' | sha256sum | cut -c1-64)"
}

# tpm_sign_image FILE KEY PUB OUT: systemd-measure's signature of the PCR 11
# value tpm_boot_image FILE gives.
tpm_sign_image() {
	/usr/lib/systemd/systemd-measure sign --tpm2-device="$TPM_DEV" \
		--linux="$1" --bank=sha256 --phase=enter-initrd \
		--private-key="$2" --public-key="$3" --json=short >"$4"
}

# tpm_sign_pcrs PCRS KEY PUB OUT: a signature file as systemd-measure
# writes it, of the current values of PCRS ("12", or "11,12") in the
# SHA-256 bank, by KEY: the PolicyPCR digest ("pol", from a trial
# session) signed with RSA and SHA-256. systemd-measure 252 signs PCR 11
# only.
tpm_sign_pcrs() {
	local d=$TPM_DIR/sign pkfp pol
	mkdir -p "$d" &&
		tpm2_pcrread "sha256:$1" -o "$d/pcrs.bin" >/dev/null &&
		tpm2_startauthsession -S "$d/s.ctx" &&
		tpm2_policypcr -S "$d/s.ctx" -l "sha256:$1" -f "$d/pcrs.bin" -L "$d/pol.bin" >/dev/null &&
		tpm2_flushcontext "$d/s.ctx" &&
		openssl dgst -sha256 -sign "$2" -out "$d/sig.bin" "$d/pol.bin" || return 1
	pkfp=$(openssl rsa -pubin -in "$3" -RSAPublicKey_out -outform DER 2>/dev/null | sha256sum | cut -c1-64)
	pol=$(od -An -tx1 -v "$d/pol.bin" | tr -d ' \n')
	jq -cn --argjson pcrs "[$1]" --arg pkfp "$pkfp" --arg pol "$pol" \
		--arg sig "$(base64 -w0 "$d/sig.bin")" \
		'{sha256: [{pcrs: $pcrs, pkfp: $pkfp, pol: $pol, sig: $sig}]}' >"$4"
}

# tpm_keep_record: this test extends PCR 15 (tpm2-extend), which writes
# /run/fscrypt-provision/tpm2-boot-pcr; the host's own record is put back
# at exit. Such a test runs alone ("# fsp-host: alone"): enroll in another
# test reads the record.
TPM_RECORD=/run/fscrypt-provision/tpm2-boot-pcr
tpm_keep_record() {
	TPM_RECORD_SAVED=$T_WORK/host-record
	[ -e "$TPM_RECORD" ] && cp -p "$TPM_RECORD" "$TPM_RECORD_SAVED"
	rm -f "$TPM_RECORD"
	trap 'tpm_put_record; tpm_stop; t_cleanup' EXIT
}

tpm_put_record() {
	if [ -e "$TPM_RECORD_SAVED" ]; then
		cp -p "$TPM_RECORD_SAVED" "$TPM_RECORD"
	else
		rm -f "$TPM_RECORD"
	fi
}

# tpm_damage_object SLOTS: flips one byte of the companion's sealed object
# in SLOTS (its public area's policy), as a damaged disk would.
tpm_damage_object() {
	python3 - "$1" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
i = b.find(bytes.fromhex('000800')) # TPM2B_PUBLIC: KEYEDHASH (0x0008), SHA-256
b[i + 20] ^= 0x40
open(p, 'wb').write(b)
PY
}
