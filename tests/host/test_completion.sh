#!/bin/bash
# Bash completion (shell-completion/bash/fscrypt-provision), sourced into
# this bash and called as bash calls it: the commands, each command's
# options as the helper's usage text lists them, what an option takes
# (files, directories, choices, the table's volumes), and the positional
# arguments.
. "$(dirname "$0")/lib.sh"

# shellcheck source=shell-completion/bash/fscrypt-provision
. "$(dirname "$0")/../../shell-completion/bash/fscrypt-provision"

# The helper as one word, as a person types it (FSP may be a wrapper).
BIN=$T_WORK/fscrypt-provision
one_word_bin "$BIN"

# comp WORD...: completes the last word of "fscrypt-provision WORD...",
# leaving the candidates, sorted, one per line, in $GOT.
comp() {
	COMP_WORDS=("$BIN" "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_fscrypt_provision 2>"$T_WORK/comp.err"
	GOT=$(printf '%s\n' "${COMPREPLY[@]}" | sort)
	[ -s "$T_WORK/comp.err" ] && GOT="$GOT
stderr: $(cat "$T_WORK/comp.err")"
	return 0
}
# has NAME WORD...: passes when every WORD is a candidate.
has() {
	local name=$1 w
	shift
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$GOT" || {
			t_fail "$name" "lacks: $w" "$GOT"
			return
		}
	done
	t_ok "$name"
}
# is NAME WORD...: passes when the candidates are exactly the WORDs.
is() {
	local name=$1 want
	shift
	want=$(printf '%s\n' "$@" | sort)
	[ "$GOT" = "$want" ] && t_ok "$name" || t_fail "$name" "want: $*" "got: $GOT"
}

complete -p fscrypt-provision 2>/dev/null | grep -q -- '-F _fscrypt_provision' &&
	t_ok "sourcing it registers _fscrypt_provision for fscrypt-provision" ||
	t_fail "sourcing it registers _fscrypt_provision"

# --- commands: those of the helper's own list.
comp ""
mapfile -t cmds < <("${FSP_CMD[@]}" --help | awk '/^Commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
has "the first word: every command of 'fscrypt-provision --help'" "${cmds[@]}" --help --version
[ "${#cmds[@]}" -ge 18 ] && [ "$(wc -l <<<"$GOT")" = $((${#cmds[@]} + 2)) ] &&
	t_ok "and nothing else (${#cmds[@]} commands)" || t_fail "only the commands" "$GOT"
comp en
is "'en' completes to enroll" enroll
comp wipe
is "'wipe' completes to wipe-slot" wipe-slot

# --- options: each command's, from its usage text.
comp enroll --new
is "enroll --new: --new-passphrase-fd" --new-passphrase-fd
comp enroll --
has "enroll --: the options its --help lists" --slots --passphrase --recovery-key --tpm2 --exec \
	--generate --unlock-passphrase-fd --new-passphrase-fd --tpm2-pin-fd --pbkdf-time --tpm2-pcrs \
	--tpm2-public-key-pcrs --key-size --quiet --help
! grep -qx -- --passphrase-fd <<<"$GOT" && t_ok "enroll: not the deprecated --passphrase-fd" ||
	t_fail "enroll offers the deprecated --passphrase-fd" "$GOT"
comp identifier --pass
is "identifier --pass: --passphrase-fd, which opens the file there" --passphrase-fd
comp add --
has "add --: --add-to" --add-to --volume --slots --key-format
! grep -qx -- --mount <<<"$GOT" && t_ok "add: not the deprecated --mount" || t_fail "add offers --mount" "$GOT"
! grep -qx -- --json <<<"$GOT" && t_ok "add: not another command's --json" || t_fail "add offers --json" "$GOT"
comp list --
mapfile -t listed < <("${FSP_CMD[@]}" list --help | grep -oE -- '^  --[a-z-]+' | tr -d ' ')
has "list --: --json" --json
is "and exactly the options its --help lists (${#listed[@]})" "${listed[@]}"
comp enroll ""
has "an empty word where no argument is due: the options" --slots --passphrase

# --- what an option takes.
mkdir -p "$T_WORK/cdir/sub"
: >"$T_WORK/cdir/tab.conf"
comp volumes --tab "$T_WORK/cdir/t"
is "--tab FILE: files" "$T_WORK/cdir/tab.conf"
comp volumes --tab = "$T_WORK/cdir/t"
is "--tab=FILE (bash splits at the =): files" "$T_WORK/cdir/tab.conf"
comp enroll --slots "$T_WORK/cdir/"
has "--slots FILE: files and directories" "$T_WORK/cdir/tab.conf" "$T_WORK/cdir/sub"
comp add --add-to "$T_WORK/cdir/"
is "--add-to DIR: directories only" "$T_WORK/cdir/sub"
comp add --key-format ""
is "--key-format raw|hex|auto: the three" raw hex auto
comp set-policy --padding ""
is "--padding 4|8|16|32: the four" 4 8 16 32
comp enroll --tpm2-pcrs ""
is "--tpm2-pcrs 7+11: nothing to offer (no option either)"
comp add --volume data --key-size ""
is "--key-size N: nothing"

# --volume NAME: the volumes of the table, the one named by --tab too.
printf 'alpha /a /k\nbravo none none\n' >"$T_WORK/c.tab"
comp unlock --tab "$T_WORK/c.tab" --volume ""
is "--volume NAME: the volumes of --tab's table" alpha bravo
comp check --tab "$T_WORK/c.tab" --volume b
is "--volume b: those that start so" bravo

# --- positional arguments, from the usage text.
comp update ""
is "update: pre or post" pre post
comp update pre "$T_WORK/cdir/"
is "update pre MOUNTPOINT...: directories" "$T_WORK/cdir/sub"
comp update pre "$T_WORK/cdir/sub" "$T_WORK/cdir/"
is "and again for the next" "$T_WORK/cdir/sub"
comp status "$T_WORK/cdir/t"
is "status PATH: files" "$T_WORK/cdir/tab.conf"
comp set-policy --padding 16 "$T_WORK/cdir/"
is "set-policy DIR, after an option and its value: directories" "$T_WORK/cdir/sub"
comp set-policy "$T_WORK/cdir/sub" --
has "then options again" --force --contents

# An unknown command offers nothing and says nothing.
comp frobnicate ""
is "an unknown command: nothing"

t_done
