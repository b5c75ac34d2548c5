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
  compiled-store cache (it holds gold answers) and the run's hidden folders
  (``SandboxSettings.hide``: store folders, data and run directory) are never
  bound; should one lie inside a bound folder (stores in a venv, say), an
  empty read-only tmpfs is mounted over it, and a folder the job needs inside
  it (its own folder, a site directory) is bound again over the mask.
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


def _bind_arg(p: str) -> list[str]:
    """--ro-bind, or --symlink for a top-level link to a directory."""
    if Path(p).is_symlink() and Path(p).parent == Path("/"):
        return ["--symlink", os.readlink(p), p]     # /lib -> usr/lib on merged-usr
    return ["--ro-bind", p, p]


def _covering(p: str, done: dict[str, str]) -> str | None:
    """What the job sees at ``p`` from the mounts made so far: the kind ("bind"
    or "mask") of the nearest mount at or above it, None when nothing is there."""
    for q in (Path(p), *Path(p).parents):
        if str(q) in done:
            return done[str(q)]
    return None


def _layered_args(paths: list[Path], masks: list[str]) -> list[str]:
    """Binds and masks, outermost first, so the innermost one wins at every path.

    A mask (an empty tmpfs) hides what the bind around it would show; a folder
    the job needs that lies inside a mask (its own folder in a hidden run
    directory, say) is bound again over it. At one path the mask wins. The
    masks turn read-only last: until then their tmpfs takes the mount points
    of the binds inside."""
    ops = {(str(x), 0) for x in paths if os.path.lexists(x)} | {(m, 1) for m in masks}
    args: list[str] = []
    done: dict[str, str] = {}
    for p, is_mask in sorted(ops, key=lambda o: (o[0].count("/"), o[0], o[1])):
        seen = _covering(p, done)
        if is_mask and seen == "bind":  # else nothing or a mask already hides it
            args += ["--tmpfs", p]
            done[p] = "mask"
        elif not is_mask and seen != "bind":
            args += _bind_arg(p)
            done[p] = "bind"
    for p in sorted(q for q, kind in done.items() if kind == "mask"):
        args += ["--remount-ro", p]
    return args


def secret_dirs() -> list[Path]:
    """Folders no job may see even when they lie inside a bound path."""
    cache = store_cache.cache_dir()
    return [cache] if cache is not None else []


def _exposed_at(secret: Path, bound: list[Path]) -> set[str]:
    """Every place inside the job where a bound path would show ``secret``."""
    real = Path(os.path.realpath(secret))
    dests: set[str] = set()
    for b in bound:
        if b.is_symlink() and b.parent == Path("/"):
            continue  # bound as a link into /usr, which is checked itself
        b_real = Path(os.path.realpath(b))
        if real == b_real or b_real in real.parents:
            dests.add(str(b.absolute() / real.relative_to(b_real)))
    return dests


def _mask_dests(bound: list[Path], hide: tuple[Path, ...]) -> list[str]:
    """Where to mount an empty tmpfs: each secret folder and each hidden folder
    (SandboxSettings.hide: stores, run and data directories) a bound path exposes."""
    dests: set[str] = set()
    for secret in secret_dirs():
        for dest in _exposed_at(secret, bound):
            try:  # created now, so entries written while the job runs stay under the mask
                Path(dest).mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError:
                pass
            dests.add(dest)
    for hidden in hide:
        dests |= _exposed_at(hidden, bound)
    # a folder that is not there has nothing to show, and bwrap could not mount on it
    return sorted(d for d in dests if os.path.isdir(d))


def bwrap_argv(workdir: Path, *, tmp_mb: int = 256, hide: tuple[Path, ...] = ()) -> list[str]:
    """The bubblewrap argv (up to the command) that exposes ``workdir`` read-only
    and none of the folders in ``hide`` (nor the secret ones), even inside a bound path."""
    argv = [shutil.which("bwrap") or "bwrap", "--unshare-user", "--disable-userns",
            "--cap-drop", "ALL", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--size", str(tmp_mb * 1024 * 1024), "--tmpfs", "/tmp",
            "--dev", "/dev", "--proc", "/proc"]
    # /tmp is bound after its tmpfs, so an interpreter, venv or checkout there stays visible
    bound = [Path(p) for p in SYSTEM_DIRS + SYSTEM_FILES] + readable_paths()
    if workdir != Path("/"):
        bound.append(workdir)
    argv += _layered_args(bound, _mask_dests(bound, hide))
    if workdir != Path("/"):
        argv += ["--chdir", str(workdir)]
    return argv + ["--"]


def command_for(iso: Isolation, workdir: Path, *, tmp_mb: int = 256,
                hide: tuple[Path, ...] = ()) -> list[str]:
    """The argv that starts the worker on ``workdir`` under ``iso`` (``hide``:
    folders masked under bubblewrap; the weak modes cannot hide anything)."""
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
        return bwrap_argv(workdir, tmp_mb=tmp_mb, hide=hide) + worker
    if iso.mode == "unshare":
        return unshare_argv() + worker
    return worker
