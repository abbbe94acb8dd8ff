#!/bin/sh
# SPDX-License-Identifier: MIT
xfs_io -c add_enckey /sysroot < /etc/fsp-bench/root.key > /dev/null
