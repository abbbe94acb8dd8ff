#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs an initramfs-tools hook the way mkinitramfs does, for the tests that
# run one without building a whole image (tests/host/test_itools_hook.sh,
# TEST-05): DESTDIR, version and verbose come from the environment.
#
#   tests/itools-hook.sh HOOK
#
# Debian 13's initramfs-tools (0.148) only queues what manual_add_modules
# names, in the file $__MODULES_TO_ADD, and mkinitramfs installs the queue
# after the hooks (apply_add_modules); Debian 12's (0.142) installs each
# module at once. So, as mkinitramfs: a queue, the hook, then the queue.
# Exit code: the hook's, or apply_add_modules'.
set -u
[ $# -eq 1 ] || {
	echo "usage: $0 HOOK" >&2
	exit 2
}
functions=/usr/share/initramfs-tools/hook-functions
__MODULES_TO_ADD=$(mktemp) || exit 1
export __MODULES_TO_ADD
sh "$1"
rc=$?
if [ "$rc" = 0 ] && grep -q '^apply_add_modules()' "$functions"; then
	# shellcheck disable=SC1090 # initramfs-tools' own
	(. "$functions" && apply_add_modules)
	rc=$?
fi
rm -f "$__MODULES_TO_ADD"
exit "$rc"
