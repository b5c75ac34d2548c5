"""The OS boundary around a sandboxed job: which isolation the machine offers
and the command line that starts the worker inside it.

Modes, strongest first (docs/discovery.md, "Threat model"):

- ``bwrap``: bubblewrap with a user namespace and every capability dropped
  (so nothing can be unmounted or remounted), a new empty root where only the
  interpreter, the system libraries, the site directories, the autotts package
  and the job's gold-free folder are bound read-only (deny by default: no
  ``--ro-bind / /``, so no other copy of the data, no other run, no home
  file is there to find), a private ``/proc``, no network, its own PID, IPC
  and UTS namespaces, and a size-capped tmpfs ``/tmp`` under which an
  interpreter, venv or checkout living in ``/tmp`` is bound back. The
  compiled-store cache (it holds gold answers) is never bound; should it lie
  inside a bound folder (``$AUTOTTS_STORE_CACHE`` in a venv, say), an empty
  read-only tmpfs is mounted over it.
- ``unshare``: ``unshare --pid --fork --kill-child --mount-proc --net`` (root):
  every descendant dies with the job and the network is cut, but the file
  system is the host's (readable, and writable where the user may write).
- ``none``: rlimits and the process-group kill only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import autotts
from autotts.env import store_cache

MODES = ("auto", "strict", "bwrap", "unshare", "none")
SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime")


class IsolationUnavailable(RuntimeError):
    """The isolation asked for does not work on this machine."""


@dataclass(frozen=True)
class Isolation:
    """What OS isolation a job runs under."""

    mode: str                 # "bwrap" | "unshare" | "none"
    network_cut: bool
    filesystem_hidden: bool   # deny-by-default mounts, read-only
    pid_namespace: bool       # every descendant dies with the job
    capabilities_dropped: bool = False
    warning: str | None = None

    @property
    def full(self) -> bool:
        """True for the full boundary (what ``strict`` requires)."""
        return self.mode == "bwrap"

    def describe(self) -> dict:
        return asdict(self)


def _probe(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30, check=False,
                              stdin=subprocess.DEVNULL).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


_UNSHARE_WARN = ("bubblewrap unavailable: `unshare` gives a PID namespace (descendants die with "
                 "the job) and cuts the network, but the file system is NOT hidden: a candidate "
                 "can read other data copies and write where this user can (install bubblewrap "
                 "for the full boundary)")
_NONE_WARN = ("no OS isolation available (no working bubblewrap or unshare): only rlimits, the "
              "process-group kill, the judge's bookkeeping and static validation protect this "
              "machine; a candidate can read the file system and start processes that outlive "
              "the job")


@lru_cache(maxsize=8)
def detect_isolation(requested: str = "auto") -> Isolation:
    """The strongest isolation available, or the one requested.

    ``strict`` and ``bwrap`` raise :class:`IsolationUnavailable` when the full
    boundary does not start here; ``unshare`` likewise for its mode.
    """
    if requested not in MODES:
        raise IsolationUnavailable(f"unknown isolation {requested!r} (known: {', '.join(MODES)})")
    full = Isolation("bwrap", True, True, True, True)
    if requested in ("auto", "strict", "bwrap") and shutil.which("bwrap") \
            and _probe(bwrap_argv(Path("/"), tmp_mb=16) + [sys.executable, "-I", "-c", "pass"]):
        return full
    if requested in ("strict", "bwrap"):
        raise IsolationUnavailable(
            "isolation 'strict' needs bubblewrap with user namespaces (`bwrap --unshare-user "
            "--cap-drop ALL`), and it does not start here: install bubblewrap or allow "
            "unprivileged user namespaces, or choose isolation = \"auto\"")
    weak = Isolation("unshare", True, False, True, False, _UNSHARE_WARN)
    if requested in ("auto", "unshare") and shutil.which("unshare") \
            and _probe(unshare_argv() + ["true"]):
        return weak
    if requested == "unshare":
        raise IsolationUnavailable("isolation 'unshare' was requested but `unshare --pid --fork "
                                   "--mount-proc --net` does not work here (it needs root)")
    return Isolation("none", False, False, False, False, _NONE_WARN)


def unshare_argv() -> list[str]:
    """The ``unshare`` argv prefix (fresh pid, mount-proc and net namespaces)."""
    return [shutil.which("unshare") or "unshare", "--pid", "--fork", "--kill-child",
            "--mount-proc", "--net", "--"]


def _interpreter_paths() -> list[Path]:
    """The interpreter (link and target) and its prefixes."""
    out = [Path(sys.executable), Path(sys.executable).resolve()]
    for p in {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}:
        out += [Path(p), Path(p).resolve()]
    return out


def _is_checkout(path: Path) -> bool:
    return any((path / marker).exists() for marker in (".git", "pyproject.toml", "setup.py"))


def readable_paths() -> list[Path]:
    """Everything bound read-only into a bwrap job besides its own folder:
    the interpreter and its prefixes, site directories on ``sys.path`` (not a
    checkout's root, not the working directory) and the autotts package."""
    prefixes = [p for p in _interpreter_paths() if p.is_dir()]
    keep = list(_interpreter_paths()) + [Path(autotts.__file__).resolve().parent]
    cwd = Path.cwd().resolve()
    for entry in sys.path:
        if not entry:
            continue
        p = Path(entry).absolute()
        if not p.exists() or p.resolve() in (Path("/"), cwd):
            continue
        under_prefix = any(x == p or x in p.parents for x in prefixes)
        if p.is_file() or under_prefix or p.name in ("site-packages", "dist-packages") \
                or (p.is_dir() and not _is_checkout(p)):
            keep.append(p)
    return keep


def _bind_args(paths: list[Path]) -> list[str]:
    """--ro-bind (or --symlink for a link to a directory) for each path, parents first."""
    args: list[str] = []
    done: set[str] = set()
    for p in sorted({str(x) for x in paths}, key=lambda s: (s.count("/"), s)):
        path = Path(p)
        if p in done or not os.path.lexists(p) or any(Path(d) in path.parents for d in done):
            continue
        done.add(p)
        if path.is_symlink() and path.parent == Path("/"):
            args += ["--symlink", os.readlink(p), p]     # /lib -> usr/lib on merged-usr
        else:
            args += ["--ro-bind", p, p]
    return args


def secret_dirs() -> list[Path]:
    """Folders no job may see even when they lie inside a bound path."""
    cache = store_cache.cache_dir()
    return [cache] if cache is not None else []


def _mask_args(bound: list[Path]) -> list[str]:
    """An empty read-only tmpfs over each secret folder that a bound path would
    expose, at every place inside the job where it would appear."""
    dests: set[str] = set()
    for secret in secret_dirs():
        real = Path(os.path.realpath(secret))
        for b in bound:
            if b.is_symlink() and b.parent == Path("/"):
                continue  # bound as a link into /usr, which is checked itself
            b_real = Path(os.path.realpath(b))
            if real == b_real or b_real in real.parents:
                dests.add(str(b.absolute() / real.relative_to(b_real)))
    args: list[str] = []
    for dest in sorted(dests):
        try:  # created now, so entries written while the job runs stay under the mask
            Path(dest).mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            if not Path(dest).is_dir():
                continue  # cannot be created, so there is nothing there to see
        args += ["--tmpfs", dest, "--remount-ro", dest]
    return args


def bwrap_argv(workdir: Path, *, tmp_mb: int = 256) -> list[str]:
    """The bubblewrap argv (up to the command) that exposes ``workdir`` read-only."""
    argv = [shutil.which("bwrap") or "bwrap", "--unshare-user", "--disable-userns",
            "--cap-drop", "ALL", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
            "--dev", "/dev", "--proc", "/proc"]
    system = [Path(p) for p in SYSTEM_DIRS + SYSTEM_FILES]
    # /tmp is bound after its tmpfs, so an interpreter, venv or checkout there stays visible
    bound = system + readable_paths()
    argv += _bind_args(bound)
    if workdir != Path("/"):
        bound.append(workdir)
        argv += ["--ro-bind", str(workdir), str(workdir), "--chdir", str(workdir)]
    return argv + _mask_args(bound) + ["--"]  # masks last: no later bind can cover them


def command_for(iso: Isolation, workdir: Path, *, tmp_mb: int = 256) -> list[str]:
    """The argv that starts the worker on ``workdir`` under ``iso``."""
    # -I ignores PYTHONPATH, so the package this parent runs is put first explicitly:
    # the worker must be this checkout's, not whatever copy site-packages points at
    src = str(Path(autotts.__file__).resolve().parent.parent)
    boot = (f"import sys, runpy; sys.path.insert(0, {src!r}); "
            "runpy.run_module('autotts.discovery.sandbox.worker', run_name='__main__')")
    # -s -P rather than -I: the same isolation (no user site, no script or working
    # directory on sys.path) over the environment the parent builds from scratch
    # (sandbox._env), but PYTHONHASHSEED=0 there takes effect, so set and dict
    # orders of strings are the same in every job: the judge's interference
    # check re-runs episodes in other processes and must see the same play
    worker = [sys.executable, "-s", "-P", "-c", boot, str(workdir)]
    if iso.mode == "bwrap":
        return bwrap_argv(workdir, tmp_mb=tmp_mb) + worker
    if iso.mode == "unshare":
        return unshare_argv() + worker
    return worker
