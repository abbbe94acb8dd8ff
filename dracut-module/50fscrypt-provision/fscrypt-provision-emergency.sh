#!/bin/sh
# SPDX-License-Identifier: MIT
# emergency and shutdown-emergency hook (shell and systemd initramfs): the
# boot gave up, perhaps before fscrypt-provision ran; remove the embedded
# key files before anyone gets a shell. Sourced by dracut, so it returns.

# shellcheck source=fscrypt-provision-lib.sh
. /lib/fscrypt-provision-lib.sh
fsp_forget_keys
return 0
