#!/usr/bin/env python3
"""console_pty.py: drives the adlua console through a real pseudo-terminal,
as a person at a keyboard: each step types some keys, then waits until the
screen shows an expected text (no fixed sleeps decide the outcome).

usage: console_pty.py PROGRAM STEPS_FILE
STEPS_FILE: lines "type <keys>" and "expect <text>", each a Python string
literal.
Prints everything the console wrote; exit status 1 when an expected text
did not appear within 20 seconds (then the transcript tells why)."""
import ast, os, pty, select, sys, time

program, steps_file = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.environ["TERM"] = "xterm"
    os.execv(program, [program])

screen = b""
seen = 0  # expect looks only at what came after the previous expect


def read_some(timeout):
    global screen
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    if not data:
        return None
    screen += data
    return True


status = 0
for line in open(steps_file, encoding="utf-8"):
    line = line.rstrip("\n")
    if not line:
        continue
    verb, _, arg = line.partition(" ")
    if verb == "type":
        os.write(fd, ast.literal_eval(arg).encode())
    elif verb == "expect":
        want = ast.literal_eval(arg).encode()
        deadline = time.time() + 20
        while want not in screen[seen:] and time.time() < deadline:
            if read_some(0.1) is None:
                break
        pos = screen.find(want, seen)
        if pos < 0:
            sys.stdout.write(screen.decode(errors="replace"))
            print("\n[console_pty: expected %r]" % arg)
            status = 1
            break
        seen = pos + len(want)
while status == 0 and read_some(2) is True:
    pass
try:
    os.kill(pid, 9)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
if status == 0:
    sys.stdout.write(screen.decode(errors="replace"))
sys.exit(status)
