"""Run candidate code in a fresh child process with hard limits.

Always enforced: a new process (``python -I -m
autotts.discovery.sandbox.worker``) in its own session under the strongest
boundary the machine offers (:mod:`autotts.discovery.sandbox.boundary`); RLIMIT_CPU
as the main time limit (CPU seconds do not grow when the machine is busy),
a generous wall-clock backstop after which the job is killed and retried
once; rlimits on address space, file size and core dumps; a scrubbed
environment (no ``AUTOTTS_DATA``, no API keys); the child dies with the
parent (PR_SET_PDEATHSIG) and its process group is killed after every job.

Parent I/O cannot be steered by the child (:mod:`.pipes`): stdout, stderr and the result
come through pipes the parent created and holds, read with a size cap
(output past the cap is drained and dropped; a result past its cap fails the
job) and with a deadline, so no FIFO, symlink or endless writer can block,
redirect or flood the parent. Nothing the child wrote is read by path.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import autotts
from autotts.discovery.sandbox.boundary import (  # noqa: F401 - re-exported for callers
    Isolation,
    IsolationUnavailable,
    command_for,
    detect_isolation,
)
from autotts.discovery.sandbox.memory_cap import MemoryBudget
from autotts.discovery.sandbox.pipes import Sink, pump


@dataclass(frozen=True)
class Limits:
    """Hard limits of one sandboxed job."""

    cpu_s: float = 900.0        # RLIMIT_CPU of the worker: the main time limit
    memory_mb: int = 4096       # address space of each process
    output_bytes: int = 64 * 1024
    file_mb: int = 512
    wall_s: float | None = None  # backstop; None = max(3 x cpu_s, cpu_s + 120)
    result_mb: int = 256         # the worker's result; larger fails the job
    tmp_mb: int = 256            # the tmpfs /tmp of a bwrap job

    @property
    def backstop_s(self) -> float:
        return self.wall_s if self.wall_s is not None else max(3 * self.cpu_s, self.cpu_s + 120)


@dataclass
class JobOutcome:
    """What came back from one job: the worker's result or why there is none."""

    result: dict | None
    error: str | None
    returncode: int | None
    timed_out: bool
    stdout: str
    stderr: str
    wall_s: float
    isolation: dict
    retried: bool = False
    machinery: bool = False      # the failure is the sandbox's, not the candidate's


def _env(workdir: Path, result_fd: int, token: str) -> dict[str, str]:
    src = str(Path(autotts.__file__).resolve().parent.parent)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp",
            "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "AUTOTTS_SANDBOX_SRC": src, "AUTOTTS_RESULT_FD": str(result_fd),
            "AUTOTTS_JOB_TOKEN": token, "AUTOTTS_STORE_CACHE": "off"}  # see worker.run


def _limit_child(limits: Limits) -> None:
    """preexec_fn: rlimits and die-with-parent. Runs in the child before exec."""
    mem = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = max(1, int(limits.cpu_s))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    size = limits.file_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_tagged(token: str) -> int:
    """Without a PID namespace: kill processes that still carry the job's token in
    their environment (children that left the process group with setsid).
    Best effort -- one that cleared its environment before exec escapes; only
    the namespace modes close that. Returns how many were killed."""
    needle = f"AUTOTTS_JOB_TOKEN={token}".encode()
    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                if needle in fh.read().split(b"\0"):
                    os.kill(int(entry), signal.SIGKILL)
                    killed += 1
        except OSError:
            continue
    return killed


def _start(workdir: Path, limits: Limits, iso: Isolation, token: str, hide: tuple[Path, ...]):
    r_out, w_out = os.pipe()
    r_err, w_err = os.pipe()
    r_res, w_res = os.pipe()
    try:
        proc = subprocess.Popen(command_for(iso, workdir, tmp_mb=limits.tmp_mb, hide=hide),
                                cwd=workdir,
                                env=_env(workdir, w_res, token), stdin=subprocess.DEVNULL,
                                stdout=w_out, stderr=w_err, pass_fds=(w_res,),
                                start_new_session=True, preexec_fn=lambda: _limit_child(limits))
    finally:
        for fd in (w_out, w_err, w_res):
            os.close(fd)
    return proc, r_out, r_err, r_res


def _attempt(workdir: Path, limits: Limits, iso: Isolation,
             budget: MemoryBudget | None, hide: tuple[Path, ...]) -> JobOutcome:
    start = time.monotonic()
    token = secrets.token_hex(16)
    try:
        proc, r_out, r_err, r_res = _start(workdir, limits, iso, token, hide)
    except OSError as exc:
        return JobOutcome(None, f"the sandbox could not start the worker: {exc}", None, False,
                          "", "", 0.0, iso.describe(), machinery=True)
    sinks = {r_out: Sink(limits.output_bytes), r_err: Sink(limits.output_bytes),
             r_res: Sink(limits.result_mb * 1024 * 1024, fatal=True)}
    if budget is not None:
        budget.register(proc.pid)
    cpu = 0.0
    try:
        stop = pump(proc, sinks, start + limits.backstop_s, budget)
    finally:
        _kill_group(proc.pid)  # leftovers die even when the worker exited normally
        if not iso.pid_namespace:
            _kill_tagged(token)
        cpu = _reap(proc)
        if budget is not None:
            budget.unregister(proc.pid)
        for fd in sinks:
            os.close(fd)
    wall = time.monotonic() - start
    stdout, stderr = sinks[r_out].text(), sinks[r_err].text()
    result, error = None, None
    if stop == "wall":
        error = f"killed by the wall-time backstop of {limits.backstop_s:g} s"
    elif stop == "memory":
        error = f"killed: the workers' total memory cap ({budget.total_mb} MB) was passed"
    elif stop == "result":
        error = f"the worker's result is larger than the {limits.result_mb} MB cap"
    else:
        result, error = _parse_result(bytes(sinks[r_res].data), proc.returncode, stderr, limits)
        if result is None and cpu >= limits.cpu_s - 0.5:
            error = f"killed at the CPU-time limit of {limits.cpu_s:g} s"
    # bubblewrap's own errors ("bwrap: ...") mean the boundary, not the candidate, failed
    machinery = result is None and stop is None and stderr.lstrip().startswith("bwrap:")
    return JobOutcome(result, error, proc.returncode, stop == "wall", stdout, stderr, wall,
                      iso.describe(), machinery=machinery)


def _reap(proc: subprocess.Popen) -> float:
    """Wait for the job's process; returns the CPU seconds it and its reaped
    descendants used (bwrap and unshare reap the worker, so it is counted)."""
    if proc.returncode is not None:  # already reaped by poll(): rusage is gone
        return 0.0
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    except ChildProcessError:
        proc.wait()
        return 0.0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def run_job(workdir: Path, limits: Limits, iso: Isolation,
            budget: MemoryBudget | None = None, hide: tuple[Path, ...] = ()) -> JobOutcome:
    """Run the worker on ``workdir`` (holding ``job.json``) and collect its result.

    ``hide`` (SandboxSettings.hide) is masked inside the job under bubblewrap.

    A job stopped by the wall-time backstop (not by its CPU limit) is retried
    once: a busy machine is not the candidate's fault.
    """
    out = _attempt(workdir, limits, iso, budget, hide)
    if out.timed_out:
        again = _attempt(workdir, limits, iso, budget, hide)
        again.retried = True
        return again
    return out


def _parse_result(data: bytes, rc: int | None, stderr: str,
                  limits: Limits) -> tuple[dict | None, str | None]:
    if rc is not None and rc > 128:  # bwrap and unshare report a killed child as 128 + signal
        rc = 128 - rc
    if not data:
        if rc is not None and rc < 0 and -rc in (signal.SIGXCPU, signal.SIGKILL):
            return None, (f"killed at the CPU-time limit of {limits.cpu_s:g} s"
                          if -rc == signal.SIGXCPU else "the worker was killed (signal 9)")
        sig = f" (signal {-rc})" if rc is not None and rc < 0 else ""
        tail = stderr.strip().splitlines()[-3:]
        return None, (f"the worker exited with code {rc}{sig} without a result"
                      + (": " + " | ".join(tail) if tail else ""))
    try:
        result = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"unreadable worker result ({str(exc)[:200]})"
    if not isinstance(result, dict):
        return None, "malformed worker result"
    return result, None
