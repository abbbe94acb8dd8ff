#!/bin/bash
# Benchmark: the stripped size of the helper, glibc (make) and musl (make
# small), against an empty program linked the same way with each libc (the
# baselines, built here in the same run): what the libc costs on its own,
# and what our code and libraries add. Run through `make bench`. Then the
# musl helper of each other architecture that is built (make small
# ARCH=arm64|armhf), against an empty program of its own.
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

# Other architectures: the musl helper against an empty static-PIE program
# of the same cross toolchain and musl, both stripped by its own strip.
ARM64_GOAL=262144 # bytes: 256 KiB, for small boards (README, "Binary")
# loaded: the file's bytes that its PT_LOAD segments map, which leaves out
# the gap that aligning the writable segment to the largest page size
# leaves in the file (64 KiB on arm64, so that the helper runs on kernels
# with 4, 16 and 64 KiB pages).
loaded() { # TRIPLET FILE
    local n=0 f
    for f in $("$1-readelf" -lW "$2" | awk '$1 == "LOAD" {print $5}'); do n=$((n + f)); done
    echo "$n"
}
echo "# musl helper by architecture, stripped (bytes); baseline: an empty program of each"
printf '%-36s %10s %9s %9s %12s\n' "" bytes loaded "x empty" "over empty"
for arch in amd64 arm64 armhf; do
    t=$(dpkg-architecture -a$arch -qDEB_HOST_GNU_TYPE 2> /dev/null)
    if [[ $arch == "$(dpkg --print-architecture)" ]]; then
        bin=$SMALL specs=$SPECS cc=gcc
    else
        bin=$ROOT/build/$arch/small/fscrypt-provision specs=$ROOT/build/$arch/musl/prefix/static-pie.specs cc=$t-gcc
    fi
    if [[ ! -e $bin || ! -e $specs ]]; then
        echo "# $arch: no musl helper built (make small ARCH=$arch)"
        continue
    fi
    "$cc" -specs "$specs" -Os -fPIE "$W/empty.c" -o "$W/empty-$arch"
    "$t-strip" "$W/empty-$arch"
    "$t-strip" -o "$W/small-$arch" "$bin"
    e=$(size_of "$W/empty-$arch") a=$(size_of "$W/small-$arch")
    printf '%-36s %10s %9s %9s %12s\n' "$arch: empty program, musl (baseline)" "$e" \
        "$(loaded "$t" "$W/empty-$arch")" "" ""
    printf '%-36s %10s %9s %9s %12s\n' "$arch: fscrypt-provision, musl" "$a" \
        "$(loaded "$t" "$W/small-$arch")" "$(awk -v a="$a" -v b="$e" 'BEGIN {printf "%.1f", a / b}')" "$((a - e))"
    if [[ $arch == arm64 ]]; then
        if ((a <= ARM64_GOAL)); then
            echo "# goal <= 256 KiB on arm64: met ($a bytes, $((a * 100 / ARM64_GOAL)) % of it)"
        else
            echo "# goal <= 256 KiB on arm64: MISSED ($a bytes, $((a * 100 / ARM64_GOAL)) % of it;" \
                "$(loaded "$t" "$W/small-$arch") loaded; HACKING.md, \"Sizes\", gives the floor)"
        fi
    fi
done
