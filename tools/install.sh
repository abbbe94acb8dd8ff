#!/bin/sh
# SPDX-License-Identifier: MIT
# Reads tools/install.list, the one list of what is installed where:
#   tools/install.sh install     install everything under $DESTDIR
#   tools/install.sh uninstall   remove what install put there
#   tools/install.sh paths       print each installed path, under $DESTDIR
#   tools/install.sh debian DIR  write DIR/PACKAGE.install for dh_install
# The directories come from the environment, as the Makefile exports
# them: SBINDIR LIBEXECDIR MANDIR DOCDIR HOOKDIR GENERATORDIR ITOOLSDIR
# DRACUTDIR BASHCOMPDIR, with DESTDIR, HELPER, COMPANION, P11_COMPANION and
# INSTALL_STRIP.
set -eu
cd "$(dirname "$0")/.."
LIST=tools/install.list
: "${DESTDIR=}" "${INSTALL_STRIP=-s}"

die() {
    printf 'install.sh: %s\n' "$*" >&2
    exit 1
}

# The destination with the directories filled in.
expand() {
    d=$1
    for v in SBINDIR LIBEXECDIR MANDIR DOCDIR HOOKDIR GENERATORDIR ITOOLSDIR DRACUTDIR BASHCOMPDIR; do
        case $d in
            "\$$v"*)
                eval "val=\${$v:-}"
                [ -n "$val" ] || die "$v is not set (run through make)"
                d=$val${d#"\$$v"}
                ;;
        esac
    done
    printf '%s\n' "$d"
}

# Calls "$1 PACKAGE MODE SOURCE DEST" for each file of the list, globs
# expanded and each DEST a file name.
each() {
    fn=$1
    grep -v '^[[:space:]]*\(#\|$\)' "$LIST" | while read -r pkg mode src dst; do
        dst=$(expand "$dst")
        case $src in
            @HELPER@) set -- "${HELPER:?HELPER is not set}" ;;
            @COMPANION@) set -- "${COMPANION:?COMPANION is not set}" ;;
            @P11_COMPANION@) set -- "${P11_COMPANION:?P11_COMPANION is not set}" ;;
            *)
                # shellcheck disable=SC2086 # a glob, expanded here
                set -- $src
                ;;
        esac
        for f in "$@"; do
            [ -e "$f" ] || die "$f (in $LIST) does not exist"
            case $dst in
                */) to=$dst${f##*/} ;;
                *) to=$dst ;;
            esac
            "$fn" "$pkg" "$mode" "$f" "$to"
        done
    done
}

do_install() {
    case $2 in
        bin) install -D ${INSTALL_STRIP:+"$INSTALL_STRIP"} -m 0755 "$3" "$DESTDIR$4" ;;
        exec) install -D -m 0755 "$3" "$DESTDIR$4" ;;
        data) install -D -m 0644 "$3" "$DESTDIR$4" ;;
        auto) if [ -x "$3" ]; then m=0755; else m=0644; fi && install -D -m $m "$3" "$DESTDIR$4" ;;
        *) die "unknown mode '$2' for $3" ;;
    esac
}

do_uninstall() {
    rm -f "$DESTDIR$4"
    # The directories that are ours alone go when empty.
    d=${4%/*}
    while case $d in "$HOOKDIR"* | "$DRACUTDIR"/* | "$LIBEXECDIR"* | "$DOCDIR") true ;; *) false ;; esac do
        rmdir "$DESTDIR$d" 2> /dev/null || break
        d=${d%/*}
    done
}

do_paths() {
    printf '%s%s\n' "$DESTDIR" "$4"
}

do_debian() {
    printf '%s\n' "${4#/}" >> "$OUT/$1.install"
}

case ${1-} in
    install) each do_install ;;
    uninstall) each do_uninstall ;;
    paths) each do_paths ;;
    debian)
        OUT=${2:?usage: install.sh debian DIR}
        grep -v '^[[:space:]]*\(#\|$\)' "$LIST" | awk '{ print $1 }' | sort -u |
            while read -r p; do : > "$OUT/$p.install"; done
        each do_debian
        ;;
    *) die "usage: install.sh install|uninstall|paths|debian DIR" ;;
esac
