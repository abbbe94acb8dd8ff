# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# Test files side by side, for tests/run-all.sh's host parts and the QEMU
# suite (tests/qemu/run.sh). Sourced; needs bash 5.1 or later (wait -p).

# jobs_each JOBS ALONE START REPORT ITEM...: runs "START ITEM" in the
# background for each ITEM in turn, at most JOBS at once, and an ITEM for
# which "ALONE ITEM" is true with nothing beside it; calls "REPORT ITEM
# STATUS" in this shell as each one ends.
jobs_each() {
	local max=$1 alone_fn=$2 start_fn=$3 report_fn=$4 item alone
	local -A item_of=() # pid -> ITEM, read by _jobs_reap
	shift 4
	((max >= 1)) || max=1
	for item in "$@"; do
		alone=
		"$alone_fn" "$item" && alone=1
		while ((${#item_of[@]} > 0)) && [[ $alone || ${#item_of[@]} -ge $max ]]; do
			_jobs_reap
		done
		"$start_fn" "$item" &
		item_of[$!]=$item
		[[ $alone ]] && _jobs_reap
	done
	while ((${#item_of[@]} > 0)); do
		_jobs_reap
	done
}

# Waits for one of jobs_each's jobs (its locals, by bash's dynamic scope)
# and reports it.
_jobs_reap() {
	local pid rc
	wait -n -p pid "${!item_of[@]}"
	rc=$?
	"$report_fn" "${item_of[$pid]}" "$rc"
	unset "item_of[$pid]"
}
