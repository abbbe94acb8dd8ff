#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The layer rules of docs/design.md, checked on src/.

1. Every #include "..." names a folder of src/, and a folder includes only
   from itself and the folders below it (LAYERS, lowest first).
2. A companion (fscrypt-provision-tpm2/, fscrypt-provision-pkcs11/)
   includes only its own folder, its protocol header, read_full.h and
   hex.h: what its Makefile rule links.
3. With object files (--objects DIR, the unit-test build of the library):
   no object uses a symbol that a higher folder defines, and no group of
   objects uses each other's symbols in a cycle.

Prints one "not ok" line per breach, or one "ok" line; exits 1 on a breach.
Usage: tools/c-layers.py [--objects build/obj/unit]
"""
import os
import re
import subprocess
import sys

LAYERS = ["basic", "shared", "kernel", "slots", "keysource", "tab",
          "fscrypt-provision"]
COMPANIONS = {
    "fscrypt-provision-tpm2": {"shared/companion_protocol.h", "basic/read_full.h", "basic/hex.h"},
    "fscrypt-provision-pkcs11": {"shared/pkcs11_protocol.h", "basic/read_full.h", "basic/hex.h"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def rank(folder):
    return LAYERS.index(folder) if folder in LAYERS else None


def include_breaches(src):
    bad = []
    for folder in sorted(os.listdir(src)):
        path = os.path.join(src, folder)
        if not os.path.isdir(path):
            bad.append(f"src/{folder}: a file outside the layer folders")
            continue
        if folder not in COMPANIONS and rank(folder) is None:
            bad.append(f"src/{folder}: a folder that is not a layer")
            continue
        for name in sorted(os.listdir(path)):
            if not name.endswith((".c", ".h")):
                continue
            rel = f"src/{folder}/{name}"
            with open(os.path.join(path, name), encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                bad += check_include(rel, folder, inc)
    return bad


def check_include(rel, folder, inc):
    to = inc.split("/")[0] if "/" in inc else None
    if to is None:
        return [f'{rel}: #include "{inc}" names no folder']
    if folder in COMPANIONS:
        if to == folder or inc in COMPANIONS[folder]:
            return []
        return [f'{rel}: #include "{inc}": the companion links only its '
                f'folder, {", ".join(sorted(COMPANIONS[folder]))}']
    if to in COMPANIONS or rank(to) is None:
        return [f'{rel}: #include "{inc}": not a layer of the helper']
    if rank(to) > rank(folder):
        return [f'{rel}: #include "{inc}": {folder}/ is below {to}/']
    return []


def symbols(objdir):
    """Each object's defined and undefined global symbols."""
    defs, uses = {}, {}
    for root, _, files in os.walk(objdir):
        for name in files:
            if not name.endswith(".o"):
                continue
            obj = os.path.relpath(os.path.join(root, name), objdir)
            if not os.path.exists(os.path.join("src", obj[:-2] + ".c")):
                continue  # left by a source since moved or removed
            out = subprocess.run(["nm", "-g", os.path.join(root, name)],
                                 check=True, capture_output=True,
                                 text=True).stdout
            d, u = set(), set()
            for line in out.splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[0] == "U":
                    u.add(parts[1])
                elif len(parts) == 3 and parts[1] in "TDBRCV":
                    d.add(parts[2])
            defs[obj], uses[obj] = d, u
    return defs, uses


def object_graph(objdir):
    defs, uses = symbols(objdir)
    owner = {s: o for o, ds in defs.items() for s in ds}
    return {o: sorted({owner[s] for s in us if s in owner} - {o})
            for o, us in uses.items()}


def cycles(graph):
    """Tarjan's strongly connected components of more than one object."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def symbol_breaches(objdir):
    graph = object_graph(objdir)
    if not graph:
        return [f"{objdir}: no object files (build them first)"]
    bad = []
    for obj, used in sorted(graph.items()):
        for dep in used:
            a, b = rank(obj.split("/")[0]), rank(dep.split("/")[0])
            if a is not None and b is not None and b > a:
                bad.append(f"{obj} uses {dep}, a higher layer's")
    for comp in cycles(graph):
        bad.append("objects that use each other: " + " -> ".join(comp))
    return bad


def main(argv):
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    bad = include_breaches("src")
    checked = "includes"
    if len(argv) == 2 and argv[0] == "--objects":
        bad += symbol_breaches(argv[1])
        checked = "includes, symbols and cycles"
    elif argv:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for line in bad:
        print(f"not ok - {line}")
    if not bad:
        print(f"ok - layers of src/ ({checked}): "
              f"{' < '.join(LAYERS)}; {', '.join(c + '/' for c in COMPANIONS)} apart")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
