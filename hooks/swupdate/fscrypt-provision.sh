#!/bin/sh
# SPDX-License-Identifier: MIT
# SWUpdate script: a "shellscript" entry of sw-description's scripts, which
# SWUpdate runs with "preinst" before the images and with "postinst" after
# them; a non-zero exit fails the update. Newer SWUpdate also runs it with
# "failure" (or "postfailure") after a failed update: unlock what is mounted
# again. See hooks/README.md. Environment: FSCRYPT_PROVISION_UPDATE (the
# entry point), and the FSCRYPT_PROVISION_* variables it reads
# (FSCRYPT_PROVISION_HEADLESS=1 on a device nobody types at).
update=${FSCRYPT_PROVISION_UPDATE:-/usr/sbin/fscrypt-provision-update}
case ${1-} in
    preinst) exec "$update" pre ;;
    postinst | failure | postfailure) exec "$update" post ;;
    *) exit 0 ;;
esac
