# shellcheck shell=sh
# SPDX-License-Identifier: MIT
# fsp-scenario: early-exit
# Guest checks of fsp.test=early-exit, run by guest/init.sh after
# switch_root. No other test boots it.

# TEST-07: an init that stops before its verdict still gives one.
t "a check before the early exit" true
exit 3
