#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A TPM character device for a machine without one: a pty whose far end
relays each TPM command, whole (its length is in its header), to swtpm's
TCP command port, and its response back in one write. Like the kernel's
resource manager behind /dev/tpmrm0, it flushes the transient objects and
sessions a client leaves behind when it closes the device (swtpm has
room for three sessions only).

    tpm-pty.py LINK PORT

LINK becomes a symlink to the pty's slave; the guide's test points the
overlay machine's /dev/tpmrm0 at it, so that the guide's commands, and the
systemd-creds they run, use the TPM as on a real machine."""
import os
import socket
import subprocess
import struct
import sys
import termios
import time
import tty


def read_exact(fd_read, n):
    buf = b""
    while len(buf) < n:
        chunk = fd_read(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def main():
    link, port = sys.argv[1], int(sys.argv[2])
    master, slave = os.openpty()
    tty.setraw(slave)
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    name = os.ttyname(slave)
    # Not held open here: the master's read fails (EIO) once the last
    # client has closed the slave, which is when to flush.
    os.close(slave)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(name, link)
    print(name, flush=True)
    tcti = "swtpm:host=127.0.0.1,port=%d" % port
    used = False
    while True:
        try:
            hdr = read_exact(lambda n: os.read(master, n), 10)
            size = struct.unpack(">I", hdr[2:6])[0]
            cmd = hdr + read_exact(lambda n: os.read(master, n), size - 10)
        except (EOFError, OSError):
            if used:
                # What the last client left unread (a response it did not
                # wait for) must not reach the next one as its answer.
                termios.tcflush(master, termios.TCOFLUSH)
                for kind in ("-t", "-l", "-s"):
                    subprocess.run(["tpm2_flushcontext", kind], env=dict(
                        os.environ, TPM2TOOLS_TCTI=tcti, TSS2_LOG="all+none"),
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                used = False
            time.sleep(0.02)
            continue
        used = True
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(cmd)
            rh = read_exact(s.recv, 10)
            rsize = struct.unpack(">I", rh[2:6])[0]
            resp = rh + read_exact(s.recv, rsize - 10)
        # A pty takes what its buffer holds: the rest in more writes.
        while resp:
            resp = resp[os.write(master, resp):]


if __name__ == "__main__":
    main()
