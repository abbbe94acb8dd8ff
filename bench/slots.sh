#!/bin/bash
# Benchmark: what a slots file costs at unlock, against reading the raw key
# file it replaces (the baseline), in one run on this machine:
#   raw        identifier --key-file            (read + HKDF)
#   recovery   identifier --slots, recovery key  (BLAKE2b + AEAD)
#   test cost  identifier --slots, 32 MiB x 1     (the QEMU tests' Argon2id)
#   default    identifier --slots, tuned by enroll's defaults (about 1 s)
# and the size of the files. Run through `make bench`. BENCH_SLOTS_REPS:
# runs per row (default 5).
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FSP=${FSP:-$ROOT/build/fscrypt-provision}
REPS=${BENCH_SLOTS_REPS:-5}
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "bench: bad BENCH_SLOTS_REPS '$REPS'" >&2 && exit 1; }
W=$(mktemp -d /tmp/fsp-bench-slots.XXXXXX)
trap 'rm -rf "$W"' EXIT
umask 077

head -c 64 /dev/urandom > "$W/raw.key"
"$FSP" enroll --slots "$W/test.slots" --passphrase --key-file "$W/raw.key" --new-passphrase-fd 3 \
    --pbkdf-memory 32768 --pbkdf-iterations 1 --quiet 3<<< bench
"$FSP" enroll --slots "$W/test.slots" --recovery-key --unlock-passphrase-fd 3 --quiet 3<<< bench > "$W/rk" 2> /dev/null
tuned=$("$FSP" enroll --slots "$W/default.slots" --passphrase --key-file "$W/raw.key" --new-passphrase-fd 3 3<<< bench |
    sed -n 's/^slot 0: //p')

# median_ms COMMAND...: the median wall time of REPS runs, in ms. A run
# that fails stops the bench: the time of a failed unlock means nothing
# (and set -e does not reach into the command substitution that calls this).
median_ms() {
    local i t0 t1 ts=()
    for ((i = 0; i < REPS; i++)); do
        t0=$(date +%s%N)
        "$@" > /dev/null 2> "$W/err" || {
            echo "bench: failed: $*: $(head -c 500 "$W/err")" >&2
            return 1
        }
        t1=$(date +%s%N)
        ts+=($(((t1 - t0) / 1000)))
    done
    printf '%s\n' "${ts[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

raw=$(median_ms "$FSP" identifier --key-file "$W/raw.key")
rec=$(median_ms sh -c "'$FSP' identifier --slots '$W/test.slots' --passphrase-fd 3 3< '$W/rk'")
test=$(median_ms sh -c "echo bench | '$FSP' identifier --slots '$W/test.slots' --passphrase-fd 0")
def=$(median_ms sh -c "echo bench | '$FSP' identifier --slots '$W/default.slots' --passphrase-fd 0")
echo "# slots files, ${FSP#"$ROOT"/}: unlock cost against the raw key file (median of $REPS, ms)"
printf '%-34s %10s %10s\n' "" "ms" "x raw"
for row in "raw key file (baseline):$raw" "recovery key:$rec" "passphrase, 32 MiB x 1:$test" "passphrase, enroll defaults:$def"; do
    printf '%-34s %10s %10s\n' "${row%%:*}" "${row##*:}" "$(awk -v a="${row##*:}" -v b="$raw" 'BEGIN {printf "%.1f", a / b}')"
done
echo "# enroll's defaults chose: $tuned"
echo "# sizes: one passphrase slot $(stat -c %s "$W/default.slots") bytes; passphrase + recovery $(stat -c %s "$W/test.slots") bytes"
