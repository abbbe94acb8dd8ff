#!/bin/bash
# unlink-key: a raw key file is removed once its key is
# provisioned, and only then; add --unlink-key does the same.
. "$(dirname "$0")/lib.sh"

new_fs fs -O encrypt
M=$T_WORK/fs
K1=$T_WORK/k1.key K2=$T_WORK/k2.key K3=$T_WORK/k3.key
new_key "$K1"
new_key "$K2"
new_key "$K3"
ID1=$("${FSP_CMD[@]}" identifier --key-file "$K1")

fsp add --volume a --key-file "$K1" --add-to "$M" --unlink-key
expect "add --unlink-key provisions the key" 0 "volume a: key file $K1 removed (unlink-key)"
[ ! -e "$K1" ] && t_ok "the key file is gone" || t_fail "the key file is gone"
[[ $(xfs_io -c "enckey_status $ID1" "$M") == Present* ]] &&
	t_ok "the key was added before the file went" || t_fail "the key was added before the file went"

# A failure keeps the file: the key is not provisioned, so it is still needed.
fsp add --volume b --key-file "$K2" --add-to "$T_WORK/missing" --unlink-key
expect "add --unlink-key that fails" 11 ""
[ -e "$K2" ] && t_ok "a failed add keeps the key file" || t_fail "a failed add keeps the key file"
fsp add --volume b --key-fd 0 --unlink-key </dev/null
expect "--unlink-key needs --key-file" 2 "--unlink-key needs --key-file"

# The fscrypttab option, through apply.
TAB=$T_WORK/fscrypttab
printf 'b none %s - unlink-key\nc none %s -\n' "$K2" "$K3" >"$TAB"
fsp apply --tab "$TAB"
expect "apply with unlink-key" 0 "volume b: key file $K2 removed (unlink-key)"
[ ! -e "$K2" ] && [ -e "$K3" ] && t_ok "only the entry with unlink-key lost its file" ||
	t_fail "only the entry with unlink-key lost its file"
fsp apply --tab "$TAB"
expect "apply again: the file is gone, so b fails and c is still fine" 4 "volume b: unable to read key from $K2: it does not exist"
fsp list --json
[ "$(jq -r '[.[].volume] | sort | join(" ")' <<<"$OUT")" = "a b c" ] &&
	t_ok "b's key stays provisioned all the same" || t_fail "b's key stays provisioned all the same" "$OUT"

# Refused where there is no file to remove.
printf 'b none none - unlink-key\n' >"$TAB"
fsp volumes --tab "$TAB"
expect "unlink-key with key source none is refused" 3 "unlink-key needs a key file, not none or fd:N"
printf 'b none fd:3 - unlink-key\n' >"$TAB"
fsp volumes --tab "$TAB"
expect "unlink-key with fd:N is refused" 3 "unlink-key needs a key file"
printf 'b none %s - unlink-key=yes\n' "$K3" >"$TAB"
fsp volumes --tab "$TAB"
expect "unlink-key takes no value" 3 "option 'unlink-key' takes no value"

t_done
