#!/bin/sh
# SPDX-License-Identifier: MIT
# /sbin/init of the QEMU tests' real root (busybox). Runs after switch_root,
# checks what the initramfs left behind for the scenario named by
# fsp.test= on the kernel command line, and reports to the host through the
# marker disk and isa-debug-exit (see fsp-test-lib.sh). A scenario's checks
# are the guest.sh of the test that owns it (tests/qemu/TEST-*/guest.sh,
# installed by tests/qemu/lib.sh as scenarios/NAME.sh, NAME from its
# "# fsp-scenario: NAME" line); the checks they share are in checks.sh.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
BB=/bin/busybox
# shellcheck source=fsp-test-lib.sh
. /usr/lib/fsp-test/lib.sh
t_init
# ROOT_ID DATA_ID WRONG_ID ROOT_KEY DATA_KEY (written by tests/qemu/lib.sh)
# shellcheck source=/dev/null
. /usr/lib/fsp-test/expected.env

SCENARIO=$(t_cmdline_arg fsp.test) || SCENARIO=none
MODE=$(t_cmdline_arg fsp.mode) || MODE=shell
INITRD_LOG=/run/fscrypt-provision/initrd.log
t_log "scenario $SCENARIO, $MODE initramfs"

# shellcheck source=checks.sh
. /usr/lib/fsp-test/checks.sh

# Only names lib.sh can have installed; any other (none, wrong-key, which
# never gets here, a typo) fails.
SCENARIO_SH=/usr/lib/fsp-test/scenarios/$SCENARIO.sh
case $SCENARIO in
    '' | *[!a-z0-9-]*) SCENARIO_SH= ;;
esac
if [ -n "$SCENARIO_SH" ] && [ -f "$SCENARIO_SH" ]; then
    # shellcheck source=/dev/null
    . "$SCENARIO_SH"
else
    t "known scenario" false
fi
t_finish
