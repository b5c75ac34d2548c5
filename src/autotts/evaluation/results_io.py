"""Result rows on disk: an append-only JSONL journal, a CSV view and a manifest.

A sweep appends one JSON line per finished cell and flushes it to disk at
once, so a killed run loses at most the cell in flight; the journal is read
back tolerantly (a torn last line is dropped). The CSV and the final JSONL
are rewritten atomically (temp file + ``os.replace``) from the rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from autotts import __version__
from autotts.fileio import write_atomic

#: Columns of ``results.csv``, in order. The JSONL rows hold these plus the
#: per-seed and per-question lists (``JSONL_ONLY``).
CSV_COLUMNS: tuple[str, ...] = (
    "env", "controller", "controller_source", "params", "accuracy", "tokens",
    "accuracy_std", "tokens_std", "ci95_low", "ci95_high", "ci_method", "seeds", "key",
)
JSONL_ONLY: tuple[str, ...] = ("seed_list", "seed_accuracy", "seed_tokens",
                               "question_correct_rate")
_FLOAT_COLUMNS = ("accuracy", "tokens", "accuracy_std", "tokens_std", "ci95_low", "ci95_high")


class Journal:
    """Append-only JSONL file of result rows, keyed by each row's ``key``."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)

    def load(self) -> dict[str, dict]:
        """Rows already on disk by key (the last row of a key wins); a torn or
        corrupt line, as a kill mid-write leaves, is skipped."""
        rows: dict[str, dict] = {}
        if not self.path.is_file():
            return rows
        with open(self.path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(row, dict) and isinstance(row.get("key"), str):
                    rows[row["key"]] = row
        return rows

    def append(self, row: dict) -> None:
        """Add one row and force it to disk before returning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._end_with_newline()
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _end_with_newline(self) -> None:
        # A kill can leave a line without its newline; start the next row on a fresh line.
        if self.path.is_file() and self.path.stat().st_size:
            with open(self.path, "rb") as fh:
                fh.seek(-1, os.SEEK_END)
                last = fh.read(1)
            if last != b"\n":
                with open(self.path, "ab") as fh:
                    fh.write(b"\n")

    def rewrite(self, rows: Iterable[dict]) -> None:
        """Replace the file with exactly ``rows`` (atomically)."""
        write_atomic(self.path, "".join(json.dumps(r) + "\n" for r in rows))


def csv_text(rows: Sequence[dict], columns: Sequence[str] = CSV_COLUMNS) -> str:
    """CSV text of ``rows`` (dict and list values as JSON); returns the text."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return buf.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if value is None:
        return ""
    return value


def write_csv(path: str | os.PathLike[str], rows: Sequence[dict],
              columns: Sequence[str] = CSV_COLUMNS) -> Path:
    """Write ``rows`` as CSV atomically; returns the path."""
    return write_atomic(path, csv_text(rows, columns))


def read_results_csv(path: str | os.PathLike[str]) -> list[dict]:
    """Rows of a ``results.csv``, with numbers as floats/ints and params as a dict."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        for col in _FLOAT_COLUMNS:
            if row.get(col) not in (None, ""):
                row[col] = float(row[col])
        if row.get("seeds"):
            row["seeds"] = int(row["seeds"])
        if "params" in row:
            row["params"] = json.loads(row["params"] or "{}")
    return rows


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file's bytes as stored on disk."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str | None:
    """The commit of the source tree this package runs from, or None (not a
    checkout, or git missing). Read-only: ``git rev-parse HEAD``."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = out.stdout.strip()
    return commit if out.returncode == 0 and commit else None


def build_manifest(*, seeds: Sequence[int], stores: dict[str, str | os.PathLike[str]],
                   sweep_file: str | None, sweep_text: str, extra: dict | None = None) -> dict:
    """The manifest dict: versions, commit, seeds, store digests, the sweep file.

    ``stores`` maps store name -> file path; each file's SHA-256 is recorded.
    """
    return {
        "autotts_version": __version__,
        "git_commit": git_commit(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seeds": _seed_summary(seeds),
        "data": {name: {"path": str(p), "sha256": file_sha256(p)}
                 for name, p in stores.items()},
        "sweep_file": sweep_file,
        "sweep": sweep_text,
        **(extra or {}),
    }


def _seed_summary(seeds: Sequence[int]) -> dict | list[int]:
    seeds = list(seeds)
    if seeds == list(range(len(seeds))):
        return {"count": len(seeds), "range": f"0..{len(seeds) - 1}"}
    return seeds


def write_manifest(path: str | os.PathLike[str], manifest: dict) -> Path:
    """Write the manifest as indented JSON atomically; returns the path."""
    return write_atomic(path, json.dumps(manifest, indent=2) + "\n")
