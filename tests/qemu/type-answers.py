#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Types on a QEMU serial console, as a person at the boot prompt would.

Usage: type-answers.py SOCKET PROMPT-REGEX ANSWERS-FILE

Connects to the console's UNIX socket (QEMU's -chardev socket,server=on),
and each time the console shows PROMPT-REGEX types the next line of
ANSWERS-FILE and Enter. It keeps reading until QEMU closes the socket, so
that the guest never blocks on a full console. The answers are test
fixtures; they come from a file so that they are in no command line.
"""
import re
import select
import socket
import sys
import time


def connect(path, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                sys.exit("type-answers: no console socket at " + path)
            time.sleep(0.05)


def settled(s, seconds):
    """True when nothing more arrives on s for that long."""
    r, _, _ = select.select([s], [], [], seconds)
    return not r


def main():
    path, pattern, answers_file = sys.argv[1:4]
    with open(answers_file, encoding="utf-8") as f:
        answers = f.read().splitlines()
    # The prompt must be the last thing on the console, with nothing after
    # it but colour codes and systemd's hint: plymouth redraws the prompt
    # with a '*' per key typed, and those redraws are not new prompts.
    prompt = re.compile(b"(?:" + pattern.encode() +
                        rb")\s*(?:\(press TAB for no echo\))?\s*$")
    ansi = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
    s = connect(path)
    buf, typed = b"", 0
    while True:
        data = s.recv(4096)
        if not data:
            break
        buf = (buf + data)[-4096:]
        shown = ansi.sub(b"", buf)
        if typed < len(answers) and prompt.search(shown) and settled(s, 0.5):
            # A person reads the prompt first; the helper has turned echo
            # off before it printed it, so nothing typed is echoed.
            s.sendall(answers[typed].encode() + b"\r")
            typed += 1
            buf = b""
    print("type-answers: typed %d of %d answers" % (typed, len(answers)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
