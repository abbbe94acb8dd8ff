#!/bin/sh
# SPDX-License-Identifier: MIT
# pre-pivot 50 (shell initramfs): before fscrypt-provision's pre-pivot 60.
/usr/lib/fsp-test/measure
