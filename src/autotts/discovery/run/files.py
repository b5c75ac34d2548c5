"""Files of a run directory: JSON reads and writes, digests, round state files.

Every file the loop writes goes through :func:`write_atomic` (temp file in
the same directory, fsync, ``os.replace``), so a kill -9 leaves either the old
or the new version, never a torn one (the run lock is in lock.py). A round's
``state.json`` records its phase; resume picks up at the recorded phase, and a
round whose phase is ``done`` is never touched again.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any

from autotts.errors import AutoTTSError
from autotts.fileio import write_atomic


class RunError(AutoTTSError, RuntimeError):
    """The run directory cannot be used as asked (another run, locked, missing)."""


def write_json(path: Path, obj: Any) -> None:
    """Write ``obj`` to ``path`` as indented JSON, atomically."""
    write_atomic(path, json.dumps(obj, indent=1, sort_keys=False, default=str) + "\n")


def read_json(path: Path, default: Any = None) -> Any:
    """The JSON value stored at ``path``; ``default`` when the file is missing."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return default


def now() -> str:
    """The local time now, ISO 8601 with its UTC offset."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def digest_dir(path: Path, exclude: tuple[str, ...] = ("state.json",)) -> str:
    """SHA-256 over the names and contents of every file under ``path`` (but ``exclude``)."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.name not in exclude
                    and not p.name.endswith(".tmp")):
        h.update(str(f.relative_to(path)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def round_dir(run_dir: Path, n: int) -> Path:
    """The directory of round ``n`` under ``run_dir``."""
    return run_dir / "rounds" / f"r{n:04d}"


def round_numbers(run_dir: Path) -> list[int]:
    """Numbers of the rounds that have a state file, ascending."""
    base = run_dir / "rounds"
    if not base.is_dir():
        return []
    out = []
    for d in base.iterdir():
        if d.name.startswith("r") and d.name[1:].isdigit() and (d / "state.json").is_file():
            out.append(int(d.name[1:]))
    return sorted(out)


def load_round_state(run_dir: Path, n: int) -> dict | None:
    """Round ``n``'s saved state dict; None when it has none yet."""
    return read_json(round_dir(run_dir, n) / "state.json")


def save_round_state(run_dir: Path, state: dict) -> None:
    """Stamp ``state`` with the time and write it to its round's state.json."""
    state["updated"] = now()
    write_json(round_dir(run_dir, state["round"]) / "state.json", state)
