#!/bin/sh
# SPDX-License-Identifier: MIT
# emergency and shutdown-emergency hook (shell and systemd initramfs): the
# boot gave up, or rd.break= asked for a shell, perhaps before
# fscrypt-provision ran; remove the embedded key files and extend PCR 15
# (no tpm2 slot unseals afterwards) before anyone gets a shell. Sourced by
# dracut, so it returns.

# shellcheck source=../../initramfs/fscrypt-provision-lib.sh
. /usr/lib/fscrypt-provision/fscrypt-provision-lib.sh
fsp_before_shell
return 0
