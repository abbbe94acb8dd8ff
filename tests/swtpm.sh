# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# swtpm over TCP on 127.0.0.1, for every test that needs a TPM on the
# host: the host tests (tests/host/tpm2-lib.sh), the QEMU tests' sealing
# and the guide's machine (tests/qemu/tpm2.sh). Sourced.

# swtpm_tcp_start STATEDIR LOG: swtpm on the state in STATEDIR, logging to
# LOG; sets SWTPM_PID and SWTPM_PORT (the server port; control is the next
# one). On a port another test (or one still closing) holds, swtpm exits at
# once: then another port, five in all.
swtpm_tcp_start() {
	local state=$1 log=$2 try
	for try in 1 2 3 4 5; do
		SWTPM_PORT=$((20000 + (RANDOM % 15000) * 2))
		swtpm socket --tpm2 --tpmstate dir="$state" \
			--server type=tcp,port="$SWTPM_PORT",bindaddr=127.0.0.1 \
			--ctrl type=tcp,port=$((SWTPM_PORT + 1)),bindaddr=127.0.0.1 \
			--flags not-need-init,startup-clear >>"$log" 2>&1 &
		SWTPM_PID=$!
		for _ in $(seq 50); do
			sleep 0.1
			# Ours must still run: the port may be another's.
			kill -0 "$SWTPM_PID" 2>/dev/null || break
			(exec 3<>/dev/tcp/127.0.0.1/"$SWTPM_PORT") 2>/dev/null &&
				kill -0 "$SWTPM_PID" 2>/dev/null && return 0
		done
		kill "$SWTPM_PID" 2>/dev/null
		wait "$SWTPM_PID" 2>/dev/null
		echo "swtpm did not start on port $SWTPM_PORT (try $try)" >>"$log"
	done
	SWTPM_PID=
	return 1
}
