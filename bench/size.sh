#!/bin/bash
# Benchmark: the stripped size of the helper, glibc (make) and musl (make
# small), against an empty program linked the same way with each libc (the
# baselines, built here in the same run): what the libc costs on its own,
# and what our code and libraries add. Run through `make bench`.
set -euo pipefail
export LC_ALL=C
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GLIBC=${FSP:-$ROOT/build/fscrypt-provision}
SMALL=${FSP_SMALL:-$ROOT/build/small/fscrypt-provision}
SPECS=$ROOT/build/musl/prefix/static-pie.specs
GOAL=1048576 # bytes: 1 MiB
W=$(mktemp -d /tmp/fsp-bench-size.XXXXXX)
trap 'rm -rf "$W"' EXIT

for f in "$GLIBC" "$SMALL" "$SPECS"; do
    [[ -e $f ]] || { echo "bench: $f is missing (make all small)" >&2 && exit 1; }
done
echo 'int main(void) { return 0; }' > "$W/empty.c"
gcc -Os -fPIE "$W/empty.c" -o "$W/empty-glibc" -static-pie
gcc -specs "$SPECS" -Os -fPIE "$W/empty.c" -o "$W/empty-musl"
strip -o "$W/glibc" "$GLIBC"
strip -o "$W/small" "$SMALL"
strip "$W/empty-glibc" "$W/empty-musl"

size_of() { stat -c %s "$1"; }
g=$(size_of "$W/glibc")
echo "# helper size, stripped (bytes); baselines: an empty program, static-PIE, each libc"
printf '%-36s %10s %9s %12s\n' "" bytes "x glibc" "over empty"
row() { # LABEL FILE EMPTY
    local s
    s=$(size_of "$2")
    printf '%-36s %10s %9s %12s\n' "$1" "$s" "$(awk -v a="$s" -v b="$g" 'BEGIN {printf "%.2f", a / b}')" \
        "${3:+$((s - $(size_of "$3")))}"
}
row "empty program, glibc (baseline)" "$W/empty-glibc" ""
row "empty program, musl (baseline)" "$W/empty-musl" ""
row "fscrypt-provision, glibc (make)" "$W/glibc" "$W/empty-glibc"
row "fscrypt-provision, musl (make small)" "$W/small" "$W/empty-musl"
s=$(size_of "$W/small")
if ((s <= GOAL)); then
    echo "# goal <= 1 MiB: met by make small ($s bytes, $((s * 100 / GOAL)) % of 1 MiB)"
else
    echo "# goal <= 1 MiB: MISSED by make small ($s bytes)"
fi
((g <= GOAL)) || echo "# the glibc build is over 1 MiB ($g bytes): static glibc alone is $(size_of "$W/empty-glibc") bytes"
