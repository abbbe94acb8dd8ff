#!/bin/bash
# Static checks: C formatting, shellcheck on every shell file, man pages.
cd "$(dirname "$0")/.." || exit 2
fail=0
t() {
	local name=$1
	shift
	if out=$("$@" 2>&1); then
		echo "ok - $name"
	else
		echo "not ok - $name"
		printf '%s\n' "$out" | head -30 | sed 's/^/#   /'
		fail=1
	fi
}
t "clang-format" make -s format-check
t "C layout: no file over 400 lines, no function over 80 (tools/c-limits.sh)" tools/c-limits.sh
t "C layers: includes name a lower folder, no object calls up or in a cycle (tools/c-layers.py)" \
	bash -c 'make -s unit-objs && tools/c-layers.py --objects build/obj/unit'
# Untracked files too (not ignored ones), so that a new script is checked
# before its first commit.
mapfile -t sh_files < <(git ls-files --cached --others --exclude-standard '*.sh' 'dracut-module/*' 'hooks/*' 'initramfs-tools/*' 'tests/qemu/initramfs-tools/*' 'initramfs/*' 'tests/qemu/TEST-*/*' 'debian/*.postinst' 'shell-completion/bash/*' | grep -v '\.md$' |
	while read -r f; do [ -f "$f" ] && head -c 100 "$f" | grep -q '^#!.*sh\|shell=' && echo "$f"; done)
# One shellcheck per few files, one per CPU at a time: a single one over all
# of them took most of a minute.
# shellcheck disable=SC2016 # expanded by that bash
t "shellcheck (${#sh_files[@]} files)" bash -c 'printf "%s\0" "$@" | xargs -0 -n 6 -P "$(nproc)" shellcheck -x' sh "${sh_files[@]}"
for m in man/*.[0-9]; do
	[ -f "$m" ] || continue
	t "man page $m renders without warnings" bash -c \
		"out=\$(LC_ALL=C.UTF-8 groff -t -man -ww -z '$m' 2>&1); [ -z \"\$out\" ] || { echo \"\$out\"; exit 1; }"
done
t "fscrypt-provision(8) describes every option of every command's --help (tools/check-man-options.sh)" \
	bash -c 'make -s build/fscrypt-provision && tools/check-man-options.sh'
# tests/host/valgrind.list (the host tests valgrind runs) was made from the
# host tests there are now, and names only those.
# shellcheck disable=SC2016 # expanded by that bash
t "tests/host/valgrind.list is current (else: make cover-build && tools/host-cover.py)" bash -c '
	now=$(cd tests/host && echo test_*.sh)
	then=$(sed -n "s/^# considered: //p" tests/host/valgrind.list)
	[ "$now" = "$then" ] || { echo "made from: $then"; echo "now: $now"; exit 1; }
	sed -e "s/[[:space:]]*#.*//" -e "/^\$/d" tests/host/valgrind.list | while read -r f; do
		[ -f "$f" ] || { echo "no such test: $f"; exit 1; }
	done'
stage=$(mktemp -d)
# Every path of tools/install.list lands under DESTDIR with PREFIX, and
# uninstall takes each one away again.
t "make install honours DESTDIR and PREFIX, and uninstall undoes it (tools/install.list)" bash -c "
	make -s install DESTDIR='$stage' PREFIX=/opt/fsp >/dev/null || exit 1
	paths=\$(make -s --no-print-directory install-paths DESTDIR='$stage' PREFIX=/opt/fsp) || exit 1
	[ \$(printf '%s\n' \"\$paths\" | grep -c .) -ge 30 ] || { echo \"too few paths: \$paths\"; exit 1; }
	for p in \$paths; do
		case \$p in '$stage'/opt/fsp/*) ;; *) echo \"outside PREFIX: \$p\"; exit 1;; esac
		[ -f \"\$p\" ] || { echo \"not installed: \$p\"; exit 1; }
	done
	test -x '$stage/opt/fsp/sbin/fscrypt-provision' &&
	test -x '$stage/opt/fsp/lib/fscrypt-provision/fscrypt-provision-tpm2' &&
	test -x '$stage/opt/fsp/share/initramfs-tools/hooks/fscrypt-provision' &&
	test -x '$stage/opt/fsp/share/initramfs-tools/scripts/local-bottom/fscrypt-provision' &&
	test -x '$stage/opt/fsp/lib/dracut/modules.d/50fscrypt-provision/module-setup.sh' &&
	test -f '$stage/opt/fsp/share/man/man8/fscrypt-provision-update.8' &&
	test -f '$stage/opt/fsp/share/man/man5/fscrypttab.5' &&
	test -f '$stage/opt/fsp/share/doc/fscrypt-provision/getting-started.md' || exit 1
	make -s uninstall DESTDIR='$stage' PREFIX=/opt/fsp >/dev/null || exit 1
	left=\$(find '$stage' -type f)
	[ -z \"\$left\" ] || { echo \"left after uninstall: \$left\"; exit 1; }"
rm -rf "$stage"
exit $fail
