"""bin/supervise.py, which keeps `make run`'s web server, Celery worker and beat running:
real processes, killed with SIGKILL as a crash or the OOM killer would."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT, wait_for

# a stand-in for the worker: writes its pid, then runs until killed
WORKER = "import os, sys, time; open(sys.argv[1], 'w').write(str(os.getpid())); time.sleep(600)"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path]:
    pidfile, log = tmp_path / "worker.pid", tmp_path / "worker.log"
    log.write_text("earlier run\n")
    command = [sys.executable, "-c", WORKER, str(pidfile)]
    supervisor = subprocess.Popen(  # noqa: S603
        [sys.executable, "bin/supervise.py", "--name", "celery worker", "--log", str(log), "--", *command],
        cwd=ROOT,
        start_new_session=True,  # its own process group, as make run's in a terminal
        stderr=subprocess.PIPE,
        text=True,
    )
    return supervisor, pidfile, log


def current_worker(pidfile: Path, other_than: int = 0) -> int:
    text = pidfile.read_text() if pidfile.exists() else ""
    pid = int(text) if text else 0
    return pid if pid and pid != other_than and alive(pid) else 0


def test_a_killed_worker_is_started_again_and_said_so(tmp_path):
    supervisor, pidfile, log = start(tmp_path)
    try:
        first = wait_for(lambda: current_worker(pidfile), "the worker to start")
        os.kill(first, signal.SIGKILL)
        second = wait_for(lambda: current_worker(pidfile, other_than=first), "the worker to be restarted")
        assert supervisor.poll() is None
        assert alive(second)
        text = log.read_text()
        assert text.startswith("earlier run\n")  # appended to, not truncated
        assert "celery worker died (killed by SIGKILL)" in text
    finally:
        os.killpg(supervisor.pid, signal.SIGTERM)
        supervisor.wait(timeout=60)
    assert "restarting it in 1 s" in supervisor.stderr.read()


def test_ctrl_c_to_the_process_group_stops_the_worker_without_a_restart(tmp_path):
    supervisor, pidfile, log = start(tmp_path)
    try:
        worker = wait_for(lambda: current_worker(pidfile), "the worker to start")
        os.killpg(supervisor.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        assert supervisor.wait(timeout=60) == 0
        wait_for(lambda: not alive(worker), "the worker to stop")
        assert "died" not in log.read_text()
        assert current_worker(pidfile) == 0
    finally:
        if supervisor.poll() is None:
            os.killpg(supervisor.pid, signal.SIGKILL)
