#!/bin/sh
# SPDX-License-Identifier: MIT
# The C layout limits of the README: no source file over MAX_FILE lines and
# no function body over MAX_FUNC lines. Prints a "not ok" line per file
# over a limit, or one "ok" line. Usage: tools/c-limits.sh [FILE...]
MAX_FILE=${MAX_FILE:-400}
MAX_FUNC=${MAX_FUNC:-80}
cd "$(dirname "$0")/.." || exit 2
[ $# -gt 0 ] || set -- src/*/*.c src/*/*.h
status=0
for f in "$@"; do
    # A function body opens with "{" in column 0 and closes with "}" there
    # (the kernel style that clang-format keeps); its name is the word
    # before "(" on the last line that started in column 0.
    long=$(awk -v max="$MAX_FUNC" '
        /^[A-Za-z_].*\(/ { sig = $0 }
        /^\{/ { start = NR; name = sig; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name) }
        /^\}/ && start { n = NR - start - 1; if (n > max) printf "%s %d, ", name, n; start = 0 }
    ' "$f")
    lines=$(wc -l < "$f")
    if [ "$lines" -gt "$MAX_FILE" ] || [ -n "$long" ]; then
        echo "not ok - $f: $lines lines (limit $MAX_FILE)${long:+; functions over $MAX_FUNC lines: ${long%, }}"
        status=1
    fi
done
[ $status = 0 ] && echo "ok - $# files: none over $MAX_FILE lines, no function over $MAX_FUNC"
exit $status
