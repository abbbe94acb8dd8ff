#!/bin/bash
# Nothing in the keyring is trusted unchecked: a durable
# keyring with other rights is reset to ours, one that another uid owns is
# refused, and a key that squats a volume's name (another owner, or other
# rights) is displaced by a freshly stored one, never reported as already
# provisioned.
. "$(dirname "$0")/lib.sh"
# The warnings are the point here.
ALLOW_STDERR=1

K=$T_WORK/k.key
new_key "$K"
ID=$("${FSP_CMD[@]}" identifier --key-file "$K")
perm_of() { keyctl rdescribe "$1" 2>/dev/null | cut -d';' -f4; }
uid_of() { keyctl rdescribe "$1" 2>/dev/null | cut -d';' -f2; }

# The issue's reproduction: a keyring of our name that everyone may change.
R=$(keyctl newring "$KR" @u)
keyctl setperm "$R" 0x3f3f3f3f
fsp add --volume t --key-file "$K"
expect "add into a keyring others may change: it goes on" 0 \
	"warning: keyring $KR (key $R) has permissions 0x3f3f3f3f (user:view,read,write,search,link,setattr group:view,read,write,search,link,setattr others:view,read,write,search,link,setattr) where 0x3f0b0000 (user:view,read,search) is expected; reset them to 0x3f0b0000"
[ "$(perm_of "$R")" = 3f0b0000 ] && t_ok "the keyring's permissions are ours again" ||
	t_fail "the keyring's permissions are ours again" "$(perm_of "$R")"
su nobody -s /bin/sh -c "keyctl clear $R" 2>/dev/null
[ "$("${FSP_CMD[@]}" list --keyring "$KR" --json | jq length)" = 1 ] &&
	t_ok "nobody can no longer empty it" || t_fail "nobody can no longer empty it"
keyctl unlink "$R" @u >/dev/null

# A key that squats the volume's name, stored by another user in a keyring
# that let it: displaced, and the new key is root's.
R=$(keyctl newring "$KR" @u)
keyctl setperm "$R" 0x3f3f3f3f
su nobody -s /bin/sh -c "{ printf '\\002\\000\\000\\000\\000\\000\\000\\000'; head -c 64 /dev/zero; } |
	keyctl padd fscrypt-provisioning 'fscrypt-provision:sq:$ID' $R" >"$T_WORK/squat" 2>&1
SQUAT=$(cat "$T_WORK/squat")
[ "$(uid_of "$SQUAT")" = 65534 ] && t_ok "control: nobody's key squats the name (key $SQUAT)" ||
	t_fail "control: nobody's key squats the name" "$SQUAT"
fsp add --volume sq --key-file "$K"
expect "a squatting key is displaced" 0 "warning: volume sq: key $SQUAT of that name is owned by uid 65534, not by uid 0"
NEW=$("${FSP_CMD[@]}" list --keyring "$KR" --json | jq -r '.[] | select(.volume == "sq") | .key_id')
[[ $OUT == *"provisioned as key $NEW"* && $OUT != *"already provisioned"* && $NEW != "$SQUAT" ]] &&
	[ "$(uid_of "$NEW")" = 0 ] && [ "$(perm_of "$NEW")" = 39090000 ] &&
	t_ok "the key now stored is root's, with our rights ($NEW)" ||
	t_fail "the key now stored is root's, with our rights" "$OUT" "new $NEW squat $SQUAT"
# One of ours with other rights (someone with root's powers changed them):
# not trusted either.
keyctl setperm "$NEW" 0x3f3f0000
fsp add --volume sq --key-file "$K"
expect "a key of ours with other rights is displaced" 0 "warning: volume sq: key $NEW of that name has permissions 0x3f3f0000"
keyctl unlink "$R" @u >/dev/null

# A keyring of our name that another uid owns: refused, nothing stored.
R=$(keyctl newring "$KR" @u)
keyctl chown "$R" 65534
unset ALLOW_STDERR
fsp add --volume t --key-file "$K"
expect "a keyring another uid owns is refused (exit 8)" 8 "keyring $KR (key $R) is owned by uid 65534, not by uid 0"
[ -z "$(keyctl rlist "$R" 2>/dev/null)" ] && t_ok "nothing was stored in it" || t_fail "nothing was stored in it"
keyctl unlink "$R" @u >/dev/null

t_done
