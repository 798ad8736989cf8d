"""Keep one command running for `make run` (bin/run-dev): start it, and when it dies
without being asked to (a crash, an OOM kill, `kill -9`), say so and start it again.

    supervise.py --name worker [--log FILE] -- COMMAND [ARG ...]

The command's output is appended to FILE (never truncated: earlier runs stay readable),
else it goes to this process's own output. Each unexpected exit writes one line, to
stderr and to FILE: the name, how it ended, how long it ran, and the delay before the
restart: 1 s, doubled each time it dies again within a minute of starting, at most 30 s.
It never gives up (a demo should come back once the cause is gone).

SIGTERM, SIGINT (Ctrl-C reaches the whole process group) or SIGHUP stop it: the command
is sent SIGTERM, waited for, not restarted, and this process exits 0.
"""

import argparse
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

FIRST_DELAY = 1.0  # seconds before the first restart
MAX_DELAY = 30.0  # seconds, the cap of the doubling delay
STEADY = 60.0  # seconds: a command that ran this long restarts after FIRST_DELAY again
BEIJING = ZoneInfo("Asia/Shanghai")  # the README: times printed are Beijing time, whatever the machine's zone


def describe(status: int) -> str:
    """How a child ended, from `Popen.returncode` (negative: the signal that killed it)."""
    if status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"exit status {status}"


def main(argv: list[str] | None = None) -> int:
    """Supervise the command in `argv` (see the module's docstring); returns 0 when stopped."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", required=True, help="name used in the restart lines")
    parser.add_argument("--log", type=Path, help="append the command's output to this file")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    out = args.log.open("ab") if args.log else None
    stopping = False
    child: subprocess.Popen | None = None

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, stop)

    def say(line: str) -> None:
        line = f"{datetime.now(BEIJING):%Y-%m-%d %H:%M:%S %z} supervise: {line}\n"
        sys.stderr.write(line)
        sys.stderr.flush()
        if out:
            out.write(line.encode())
            out.flush()

    delay = FIRST_DELAY / 2
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT if out else None)  # noqa: S603
        if stopping:  # a signal between the start and the assignment above
            child.terminate()
        status = child.wait()
        if stopping:
            break
        ran = time.monotonic() - started
        delay = FIRST_DELAY if ran >= STEADY else min(delay * 2, MAX_DELAY)
        say(f"{args.name} died ({describe(status)}) after {ran:.0f} s; restarting it in {delay:.0f} s")
        deadline = time.monotonic() + delay
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
