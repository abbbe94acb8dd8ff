#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Picks the host tests that make check runs under valgrind.

Usage: tools/host-cover.py [--jobs N] [--share PERCENT] [--out FILE]
(as root, after make cover-build)

Runs every host test (tests/host/test_*.sh) once against the gcov builds of
the helper and its companions (build/cover/), each test with a gcov
directory of its own, and reads which lines of C each one ran and how many
times it ran the helper. Valgrind costs about a second a run, whatever the
run does, so the tests are picked in turn by the new lines they add per run
of the helper, until they run PERCENT (default 90) of the lines that the
whole set runs. The list goes to tests/host/valgrind.list with the figures.

Every line needs nearly every test (29 of 31, 838 of 846 runs, on
2026-12-08), so that no subset with all the lines is cheaper. make check
runs every host test against the main build, the musl build and ASan.
tests/lint.sh fails when the list was not made from the host tests there
are now: rerun this after adding or removing one.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
COVER = os.path.join(REPO, "build", "cover")
OBJS = os.path.join(COVER, "obj")


def run_test(test, work):
    """Runs one host test with its own GCOV_PREFIX; exits if it fails."""
    env = dict(os.environ, FSP=os.path.join(COVER, "fscrypt-provision"),
               GCOV_PREFIX=os.path.join(work, os.path.basename(test)))
    p = subprocess.run(["bash", test], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0 or "\nnot ok" in "\n" + p.stdout:
        sys.exit(f"host-cover: {test} failed (exit {p.returncode}); fix it first:\n{p.stdout[-3000:]}")


def coverage(prefix):
    """The (source, line) pairs that the gcda files under prefix ran, and
    the helper's runs (its main()'s count: runs that exit normally)."""
    base = os.path.join(prefix, OBJS.lstrip("/"))
    gcdas = glob.glob(os.path.join(base, "**", "*.gcda"), recursive=True)
    ran, runs = set(), 0
    if not gcdas:
        return ran, runs
    for gcda in gcdas:
        rel = os.path.relpath(gcda, base)[:-len(".gcda")] + ".gcno"
        shutil.copy(os.path.join(OBJS, rel), os.path.join(base, rel))
    p = subprocess.run(["gcov", "--json-format", "--stdout"] + gcdas, cwd=REPO,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    for doc in filter(str.strip, p.stdout.splitlines()):
        for f in json.loads(doc)["files"]:
            ran.update((f["file"], line["line_number"]) for line in f["lines"] if line["count"] > 0)
            if f["file"].endswith("src/fscrypt-provision/main.c"):
                runs += sum(fn["execution_count"] for fn in f["functions"] if fn["name"] == "main")
    return ran, runs


def pick(ran, runs, share):
    """Greedy weighted cover: the most new lines per run, until share."""
    want = set().union(*ran.values())
    chosen, have = [], set()
    while len(have) < share * len(want):
        best = max(sorted(ran), key=lambda t: len(ran[t] - have) / max(runs[t], 1))
        chosen.append(best)
        have |= ran[best]
    return chosen, have, want


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--share", type=float, default=90)
    ap.add_argument("--out", default=os.path.join(REPO, "tests", "host", "valgrind.list"))
    a = ap.parse_args()
    if not os.access(os.path.join(COVER, "fscrypt-provision"), os.X_OK):
        sys.exit("host-cover: build/cover/fscrypt-provision is missing (make cover-build)")
    tests = sorted(os.path.relpath(t, REPO) for t in glob.glob(os.path.join(REPO, "tests/host/test_*.sh")))
    alone = [t for t in tests if "\n# fsp-host: alone" in "\n" + open(os.path.join(REPO, t)).read()]
    work = tempfile.mkdtemp(prefix="fsp-cover.")
    t0 = time.monotonic()
    try:
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            list(ex.map(lambda t: run_test(t, work), [t for t in tests if t not in alone]))
        for t in alone:
            run_test(t, work)
        got = {t: coverage(os.path.join(work, os.path.basename(t))) for t in tests}
    finally:
        shutil.rmtree(work)
    ran = {t: got[t][0] for t in tests}
    runs = {t: got[t][1] for t in tests}
    chosen, have, want = pick(ran, runs, a.share / 100)
    cost, total = sum(runs[t] for t in chosen), sum(runs.values())
    with open(a.out, "w") as f:
        f.write("# The host tests that make check runs under valgrind (tests/run-all.sh),\n"
                "# made by tools/host-cover.py, which see: the fewest runs of the helper\n"
                f"# for {a.share:g} % of the lines of C that all {len(tests)} host tests run. These\n"
                f"# {len(chosen)} run {len(have)} of {len(want)} lines with {cost} of {total} runs.\n"
                "# Each with the lines it adds and its runs of the helper.\n")
        seen = set()
        for t in chosen:
            f.write(f"{t}  # +{len(ran[t] - seen)} lines, {runs[t]} runs\n")
            seen |= ran[t]
        f.write("# considered: " + " ".join(os.path.basename(t) for t in tests) + "\n")
    print(f"host-cover: {len(chosen)} of {len(tests)} host tests run {len(have)} of {len(want)} lines "
          f"with {cost} of {total} runs of the helper ({time.monotonic() - t0:.0f} s); "
          f"written to {os.path.relpath(a.out, REPO)}")


if __name__ == "__main__":
    main()
