#!/bin/sh
# SPDX-License-Identifier: MIT
# Sourced by dracut when the boot fails: hand over to the checks, which end
# the VM.
/usr/lib/fsp-test/emergency
