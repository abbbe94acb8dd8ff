#!/bin/bash
# The shipped binary: fully static, and its basic contract (--help,
# --version, exit codes for usage errors).
. "$(dirname "$0")/lib.sh"

BIN=${FSP_CMD[${#FSP_CMD[@]} - 1]}
if [[ $BIN == */build/fscrypt-provision ]]; then
	if readelf -lW "$BIN" | grep -q INTERP; then t_fail "no PT_INTERP"; else t_ok "no PT_INTERP"; fi
	if readelf -dW "$BIN" | grep -q NEEDED; then t_fail "no DT_NEEDED"; else t_ok "no DT_NEEDED"; fi
	# It runs with an empty environment and no library path at all.
	env -i "$BIN" --version >/dev/null && t_ok "runs with an empty environment" || t_fail "runs with an empty environment"
fi

"${FSP_CMD[@]}" --version >"$T_WORK/v" 2>&1
[[ $? == 0 && $(cat "$T_WORK/v") =~ ^fscrypt-provision\ [0-9]+\.[0-9]+\.[0-9]+$ ]] && t_ok "--version" || t_fail "--version" "$(cat "$T_WORK/v")"
"${FSP_CMD[@]}" --help >"$T_WORK/h" 2>&1
[[ $? == 0 && $(cat "$T_WORK/h") == *"Exit codes:"* ]] && t_ok "--help" || t_fail "--help"
for c in add unlock check status list remove set-policy get-policy identifier apply volumes; do
	"${FSP_CMD[@]}" "$c" --help >"$T_WORK/h" 2>&1
	[[ $? == 0 && $(head -1 "$T_WORK/h") == "Usage: fscrypt-provision $c"* ]] && t_ok "$c --help" ||
		t_fail "$c --help" "$(cat "$T_WORK/h")"
done
"${FSP_CMD[@]}" >/dev/null 2>&1
[ $? = 2 ] && t_ok "no command exits 2" || t_fail "no command exits 2"
"${FSP_CMD[@]}" unlock >/dev/null 2>&1
[ $? = 2 ] && t_ok "unlock without DIR exits 2" || t_fail "unlock without DIR exits 2"
t_done
