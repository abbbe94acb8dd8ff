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
mapfile -t commands < <(awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { exit }' "$T_WORK/h")
[ "${#commands[@]}" -ge 18 ] && t_ok "--help lists the ${#commands[@]} commands" || t_fail "--help lists the commands" "${commands[*]}"
for c in "${commands[@]}"; do
	"${FSP_CMD[@]}" "$c" --help >"$T_WORK/h" 2>&1
	[[ $? == 0 && $(head -1 "$T_WORK/h") == "Usage: fscrypt-provision $c"* ]] && t_ok "$c --help" ||
		t_fail "$c --help" "$(cat "$T_WORK/h")"
	# One line per option, and each one it lists, it takes: an option
	# the command does not know is a usage error that getopt names.
	mapfile -t opts < <(awk '/^Options:/ { f = 1; next } f && /^  --/ { print $1 }' "$T_WORK/h")
	bad=""
	for o in "${opts[@]}"; do
		[ "$o" = --help ] && continue
		# The option given twice, with a value where it takes one: a
		# rejected value is fine, "unrecognized option" is not.
		"${FSP_CMD[@]}" "$c" "$o" x "$o" x --no-such-option </dev/null >/dev/null 2>"$T_WORK/e"
		grep -q "unrecognized option '$o'" "$T_WORK/e" && bad+=" $o"
	done
	[ "${#opts[@]}" -ge 1 ] && [ -z "$bad" ] && grep -qx -- "  --help  *show this help and exit" "$T_WORK/h" &&
		t_ok "$c --help: ${#opts[@]} options, one line each, all taken" ||
		t_fail "$c --help: its options" "not taken:$bad; $(cat "$T_WORK/h")"
done
# What a command ignores, its help does not list.
"${FSP_CMD[@]}" identifier --help >"$T_WORK/h" 2>&1
! grep -q -- '--tab\|--keyring' "$T_WORK/h" && t_ok "identifier --help lists no --tab, no --keyring" ||
	t_fail "identifier --help lists no --tab, no --keyring" "$(cat "$T_WORK/h")"
"${FSP_CMD[@]}" apply --help >"$T_WORK/h" 2>&1
grep -q -- '^  --tab FILE' "$T_WORK/h" && grep -q -- '^  --keyring NAME' "$T_WORK/h" &&
	t_ok "apply --help lists --tab and --keyring" || t_fail "apply --help lists --tab and --keyring" "$(cat "$T_WORK/h")"
"${FSP_CMD[@]}" list --bogus >"$T_WORK/o" 2>"$T_WORK/e"
[ $? = 2 ] && grep -q "Run 'fscrypt-provision list --help' for its options." "$T_WORK/e" &&
	t_ok "an unknown option: exit 2, and where the options are" || t_fail "an unknown option" "$(cat "$T_WORK/e")"
"${FSP_CMD[@]}" >/dev/null 2>&1
[ $? = 2 ] && t_ok "no command exits 2" || t_fail "no command exits 2"
"${FSP_CMD[@]}" unlock >/dev/null 2>&1
[ $? = 2 ] && t_ok "unlock without DIR exits 2" || t_fail "unlock without DIR exits 2"
t_done
