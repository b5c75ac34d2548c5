"""Run candidate code in a fresh child process with hard limits.

What is enforced, always: a new process (``python -m
autotts.discovery.sandbox_worker``) in its own session; a wall-clock limit
after which the whole process group is killed (SIGKILL), and the group is
killed after every job so no leftover process survives; rlimits on address
space (memory), CPU seconds, file size and core dumps (and processes, for
non-root users: root ignores RLIMIT_NPROC); a scrubbed environment (no
``AUTOTTS_DATA``, no API keys); the child dies with the parent
(PR_SET_PDEATHSIG), so a killed run leaves nothing behind; stdout/stderr
go to files whose size is capped and only the first ``output_bytes`` are read.

What depends on the OS (detected at run time, recorded with every job):
with bubblewrap, the child gets no network (its own empty network
namespace), its own PID namespace (everything it spawned dies with it), a
read-only view of the file system, an empty ``/tmp``, and the data
directories and the run directory hidden behind empty tmpfs mounts; with
``unshare --net`` (root) only the network is cut; otherwise nothing beyond
the above, and a warning says so. Gold answers never enter the child in any
mode: it receives gold-free stores written by the parent, which grades.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import autotts


@dataclass(frozen=True)
class Limits:
    """Hard limits of one sandboxed job."""

    wall_s: float = 900.0
    memory_mb: int = 4096
    output_bytes: int = 64 * 1024
    file_mb: int = 512


@dataclass(frozen=True)
class Isolation:
    """What OS isolation a job runs under."""

    mode: str                 # "bwrap" | "unshare" | "none"
    network_cut: bool
    filesystem_hidden: bool   # read-only root, data and run directories hidden
    pid_namespace: bool
    warning: str | None = None

    def describe(self) -> dict:
        return asdict(self)


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


def _probe(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@lru_cache(maxsize=8)
def detect_isolation(requested: str = "auto") -> Isolation:
    """The strongest isolation available (or the one requested, if it works)."""
    bwrap = shutil.which("bwrap")
    if requested in ("auto", "bwrap") and bwrap and _probe(
            [bwrap, "--unshare-net", "--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/",
             "--dev", "/dev", "--proc", "/proc", "true"]):
        return Isolation("bwrap", True, True, True)
    unshare = shutil.which("unshare")
    if requested in ("auto", "unshare") and unshare and _probe([unshare, "--net", "true"]):
        return Isolation("unshare", True, False, False,
                         "bubblewrap unavailable: network cut with `unshare --net`, but the file "
                         "system is not hidden (install bubblewrap for full isolation)")
    if requested not in ("auto", "none"):
        raise RuntimeError(f"isolation {requested!r} was requested but does not work here")
    return Isolation("none", False, False, False,
                     "no OS isolation available (no working bubblewrap or unshare): only rlimits, "
                     "the process-group kill and static validation protect this machine")


def _protected(path: Path) -> bool:
    """Paths that must stay visible to the child: the interpreter and the package."""
    keep = [Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
            Path(autotts.__file__).resolve().parent]
    return any(k == path or path in k.parents for k in keep)


def command_for(iso: Isolation, workdir: Path, hide: list[Path]) -> list[str]:
    """The argv that starts the worker on ``workdir`` under ``iso``."""
    worker = [sys.executable, "-I", "-m", "autotts.discovery.sandbox_worker", str(workdir)]
    if iso.mode == "bwrap":
        argv = [shutil.which("bwrap") or "bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc",
                "--die-with-parent", "--new-session", "--ro-bind", "/", "/", "--dev", "/dev",
                "--proc", "/proc", "--tmpfs", "/tmp"]
        hidden: list[Path] = []
        for h in sorted({p.resolve() for p in hide}, key=lambda p: len(p.parts)):
            if (h.is_dir() and not _protected(h) and Path("/tmp") not in h.parents
                    and not any(x in h.parents for x in hidden)):
                hidden.append(h)
                argv += ["--tmpfs", str(h)]
        argv += ["--bind", str(workdir), str(workdir), "--chdir", str(workdir), "--"]
        return argv + worker
    if iso.mode == "unshare":
        return [shutil.which("unshare") or "unshare", "--net", "--"] + worker
    return worker


def _env(workdir: Path) -> dict[str, str]:
    src = str(Path(autotts.__file__).resolve().parent.parent)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(workdir),
            "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "AUTOTTS_SANDBOX_SRC": src}


def _limit_child(limits: Limits) -> None:
    """preexec_fn: rlimits and die-with-parent. Runs in the child before exec."""
    mem = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
    cpu = int(limits.wall_s) + 5
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
    size = limits.file_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if os.getuid() != 0:
        # Room for this user's existing processes plus a few threads of the worker.
        resource.setrlimit(resource.RLIMIT_NPROC, (_user_processes() + 64,) * 2)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _user_processes() -> int:
    uid = os.getuid()
    n = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                n += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                pass
    return n


def _read_capped(path: Path, cap: int) -> str:
    try:
        with path.open("rb") as fh:
            data = fh.read(cap + 1)
    except OSError:
        return ""
    text = data[:cap].decode("utf-8", "replace")
    return text + ("\n[... output truncated]" if len(data) > cap else "")


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_job(workdir: Path, limits: Limits, iso: Isolation, hide: list[Path]) -> JobOutcome:
    """Run the worker on ``workdir`` (holding ``job.json``) and collect its result."""
    out, err = workdir / "stdout.log", workdir / "stderr.log"
    start = time.monotonic()
    with out.open("wb") as fo, err.open("wb") as fe:
        proc = subprocess.Popen(command_for(iso, workdir, hide), cwd=workdir, env=_env(workdir),
                                stdin=subprocess.DEVNULL, stdout=fo, stderr=fe,
                                start_new_session=True, preexec_fn=lambda: _limit_child(limits))
        timed_out = False
        try:
            proc.wait(timeout=limits.wall_s)
        except subprocess.TimeoutExpired:
            timed_out = True
        _kill_group(proc.pid)  # leftovers die even when the worker exited normally
        proc.wait()
    wall = time.monotonic() - start
    stdout, stderr = _read_capped(out, limits.output_bytes), _read_capped(err, limits.output_bytes)
    result, error = None, None
    if timed_out:
        error = f"killed after the wall-time limit of {limits.wall_s:g} s"
    else:
        result, error = _read_result(workdir / "result.json", proc.returncode, stderr)
    return JobOutcome(result, error, proc.returncode, timed_out, stdout, stderr, wall,
                      iso.describe())


def _read_result(path: Path, rc: int, stderr: str) -> tuple[dict | None, str | None]:
    if not path.is_file():
        sig = f" (signal {-rc})" if rc is not None and rc < 0 else ""
        tail = stderr.strip().splitlines()[-3:]
        return None, (f"the worker exited with code {rc}{sig} without a result"
                      + (": " + " | ".join(tail) if tail else ""))
    try:
        result = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return None, f"unreadable worker result ({exc})"
    if not isinstance(result, dict):
        return None, "malformed worker result"
    return result, None
