#!/bin/bash
# A slots file's prompts with nobody to answer (a headless device, or a
# TPM that refuses since a firmware update): password-timeout= and its
# nofail default, apply --password-timeout, rd.fscrypt.password-timeout=
# through the boot steps, add --password-timeout, and update pre
# --headless, which does not count a passphrase on such a device.
. "$(dirname "$0")/lib.sh"

REPO=$(cd "$(dirname "$0")/../.." && pwd)
new_fs fs -O encrypt
M=$T_WORK/fs
S=$T_WORK/data.slots
K=$T_WORK/other.key
new_key "$K"

# Two volumes on one filesystem: data behind a passphrase, other with a
# key file. Then both locked again and their provisioning keys retired.
fsp enroll --slots "$S" --passphrase --generate --new-passphrase-fd 3 "${CHEAP[@]}" 3<<<"data pass"
expect "a slots file with a passphrase slot only" 0 "slot 0 (passphrase)"
DID=$("${FSP_CMD[@]}" identifier --slots "$S" --passphrase-fd 3 3<<<"data pass" 2>/dev/null)
OID=$("${FSP_CMD[@]}" identifier --key-file "$K")
xfs_enc_dir "$M/odir" "$K" "$OID" f other
fsp add --volume data --slots "$S" --passphrase-fd 3 --add-to "$M" 3<<<"data pass"
mkdir "$M/ddir" && fsp set-policy "$M/ddir" "$DID" && echo data >"$M/ddir/f"
fsp remove --volume data "$M"
remount fs
[ "$(cat "$M/odir/f" 2>/dev/null)" != other ] && t_ok "set-up: both directories locked again" ||
	t_fail "set-up: both directories locked again"

TAB=$T_WORK/tab
cat >"$TAB" <<EOT
data   $M  slots:$S  ddir  nofail,password-timeout=3
other  $M  $K        odir
EOT

# (1) The reproduction: nofail, a passphrase slot, nobody at the console.
on_silent_tty 40 "${FSP_CMD[@]}" apply --keyring "$KR" --tab "$TAB"
tty_expect "nofail with password-timeout=3 and a silent console: apply gives up on the volume" 0 \
	"volume data: unable to read key from slots:$S: it needs a passphrase, and none was given within 3 s; skipped (nofail)" \
	"apply: 1 volume ready, 0 failed, 1 skipped (nofail)"
[ "$(grep -c 'volume data' <<<"$TTY")" = 2 ] && [[ $TTY != *"continuing without it"* ]] &&
	t_ok "one line says why it was skipped (and the prompt the other)" || t_fail "one line of reason" "$TTY"
[ "$(cat "$M/odir/f" 2>/dev/null)" = other ] && t_ok "the other volume is unlocked all the same" ||
	t_fail "the other volume is unlocked all the same" "$TTY"
fsp list --json
[ "$(jq -r '[.[] | .volume] | sort | join(",")' <<<"$OUT")" = other ] &&
	t_ok "only the other volume's key was provisioned" || t_fail "only other provisioned" "$OUT"

# A volume without nofail waits for ever, unless told: then it fails.
printf 'data %s slots:%s ddir password-timeout=2\n' "$M" "$S" >"$T_WORK/strict.tab"
on_silent_tty 40 "${FSP_CMD[@]}" apply --keyring "$KR" --tab "$T_WORK/strict.tab"
tty_expect "without nofail, password-timeout=2 fails the volume: exit 4" 4 \
	"error: volume data: unable to read key from slots:$S: it needs a passphrase, and none was given within 2 s" \
	"apply: 0 volumes ready, 1 failed, 0 skipped (nofail)"

# The defaults, as parsed: 90 s for nofail, no limit for the others.
printf 'a %s slots:%s ddir nofail\nb %s slots:%s ddir\nc none slots:%s - nofail,password-timeout=0\n' \
	"$M" "$S" "$M" "$S" "$S" >"$T_WORK/default.tab"
fsp volumes --tab "$T_WORK/default.tab" --json
[ "$(jq -c '[.[] | .password_timeout]' <<<"$OUT")" = '[90,null,null]' ] &&
	t_ok "volumes --json: password_timeout 90 for nofail, null (no limit) otherwise or with 0" ||
	t_fail "volumes --json password_timeout" "$OUT" "$ERR"

# (2) apply --password-timeout, for every volume: the nofail default of
# 90 s is replaced (the outer limit is 40 s).
printf 'data %s slots:%s ddir nofail\n' "$M" "$S" >"$T_WORK/nf.tab"
on_silent_tty 40 "${FSP_CMD[@]}" apply --keyring "$KR" --tab "$T_WORK/nf.tab" --password-timeout 2
tty_expect "apply --password-timeout 2 replaces nofail's 90 s" 0 \
	"none was given within 2 s; skipped (nofail)"
# 0: no limit, even for nofail (the outer limit stops it).
on_silent_tty 4 "${FSP_CMD[@]}" apply --keyring "$KR" --tab "$TAB" --password-timeout 0
[ "$RC" = 124 ] && t_ok "apply --password-timeout 0: no limit, nofail or not" ||
	t_fail "--password-timeout 0 waits" "exit $RC" "$TTY"
fsp apply --tab "$TAB" --password-timeout 3s
expect "apply --password-timeout 3s: a usage error" 2 "--password-timeout needs a number of seconds (0 for no limit)"
# add --password-timeout: the same deadline, and exit 4.
on_silent_tty 40 "${FSP_CMD[@]}" add --keyring "$KR" --volume data --slots "$S" --password-timeout 2
tty_expect "add --slots --password-timeout 2: exit 4, saying so" 4 \
	"slots file $S needs a passphrase, and none was given within 2 s"

# rd.fscrypt.password-timeout=, through the boot steps the dracut module
# and the initramfs-tools script share, with dracut-lib's functions over a
# kernel command line of our own and the test's keyring.
cat >"$T_WORK/fsp-bin" <<EOF
#!/bin/sh
cmd=\$1
shift
exec $(printf '%q ' "${FSP_CMD[@]}")"\$cmd" --keyring $(printf '%q' "$KR") "\$@"
EOF
chmod 755 "$T_WORK/fsp-bin"
cat >"$T_WORK/boot.sh" <<'EOF'
#!/bin/sh
cmdline=$1
getargs() { for w in $cmdline; do case $w in "$1"*) printf '%s\n' "${w#"$1"}" ;; esac; done; }
getarg() { getargs "$1" | tail -n 1 | grep .; }
getargbool() { return 0; }
info() { printf '%s\n' "$*"; }
warn() { printf '%s\n' "$*"; }
. "$2"
FSP_BIN=$3 FSP_RUNDIR=$4 FSP_EMBEDDED=$4/none NEWROOT=/
fsp_apply
echo "fsp_apply: $?"
EOF
on_silent_tty 40 sh "$T_WORK/boot.sh" "rd.fscrypt.tab=$T_WORK/nf.tab rd.fscrypt.password-timeout=2" \
	"$REPO/initramfs/fscrypt-provision-lib.sh" "$T_WORK/fsp-bin" "$T_WORK/run"
tty_expect "rd.fscrypt.password-timeout=2: passed to apply, the boot goes on" 0 \
	"rd.fscrypt.password-timeout=2: passed to apply as --password-timeout" "fsp_apply: 0"
grep -q "^WARNING: warning: volume data: .*none was given within 2 s; skipped (nofail)$" "$T_WORK/run/initrd.log" &&
	grep -qx "RESULT ok" "$T_WORK/run/initrd.log" &&
	t_ok "initrd.log has the one-line reason, and RESULT ok" || t_fail "initrd.log" "$(cat "$T_WORK/run/initrd.log" 2>&1)"

# (3) update pre on a headless device: the volume is mounted and its key
# provisioned, so only the slots file decides.
fsp add --volume data --slots "$S" --passphrase-fd 3 --add-to "$M" 3<<<"data pass"
printf 'data %s slots:%s ddir\n' "$M" "$S" >"$T_WORK/pre.tab"
fsp update --tab "$T_WORK/pre.tab" pre
ALLOW_STDERR=1 expect "pre: a passphrase slot counts where someone types at boot" 0 "pre: ok: 1 volume(s)"
fsp update --tab "$T_WORK/pre.tab" pre --headless
ALLOW_STDERR=1 expect "pre --headless: a passphrase-only file is refused" 1 "update refused before anything was unmounted"
[[ $OUT == *"slot 0 (passphrase) is not counted: nobody types at boot on this headless device (--headless)"* ]] &&
	[[ $ERR == *"$S has no protector that opens it at boot without a person"* ]] &&
	t_ok "pre --headless says which slot it did not count, and why" || t_fail "pre --headless reason" "$ERR"
printf 'data %s slots:%s ddir nofail\n' "$M" "$S" >"$T_WORK/pre-nf.tab"
fsp update --tab "$T_WORK/pre-nf.tab" pre --headless
ALLOW_STDERR=1 expect "pre --headless, nofail: a warning, the update goes on" 0 "it is nofail, so the update goes on"
# An unsealer program needs nobody: headless or not, the file opens.
printf '#!/bin/sh\nexec head -c 32 /dev/zero\n' >"$T_WORK/unseal"
chmod 755 "$T_WORK/unseal"
fsp enroll --slots "$S" --exec "$T_WORK/unseal" -- --unlock-passphrase-fd 3 3<<<"data pass"
fsp update --tab "$T_WORK/pre.tab" pre --headless
ALLOW_STDERR=1 expect "pre --headless with an exec slot as well: approved" 0 "pre: ok: 1 volume(s)"
fsp wipe-slot --slots "$S" 1
# The updaters' entry point: --headless, or FSCRYPT_PROVISION_HEADLESS=1.
one_word_bin "$T_WORK/hook-bin"
HOOK=$REPO/hooks/fscrypt-provision-update
hook() { "$HOOK" pre --tab "$T_WORK/pre.tab" --keyring "$KR" --bin "$T_WORK/hook-bin" "$@" >/dev/null 2>&1; }
hook && t_ok "fscrypt-provision-update pre: approved" || t_fail "the hook without --headless"
hook --headless
[ $? = 1 ] && t_ok "fscrypt-provision-update pre --headless: refused" || t_fail "the hook with --headless"
FSCRYPT_PROVISION_HEADLESS=1 hook
[ $? = 1 ] && t_ok "FSCRYPT_PROVISION_HEADLESS=1: refused" || t_fail "the hook with FSCRYPT_PROVISION_HEADLESS=1"
fsp remove --volume data "$M"
t_done
