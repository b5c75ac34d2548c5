"""The raw collection log: JSONL, one row per (question, branch), appended and
flushed to disk as each branch finishes, so a killed run loses at most the
branches in flight. Reopening drops a torn last line (a kill mid-write) and
reports which rows are done, so a rerun skips them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class RawLog:
    """Append-only JSONL of finished rows keyed by (question id, branch)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.rows: dict[tuple[str, int], dict[str, Any]] = {}
        self._repair_and_read()
        self._fh = self.path.open("a", encoding="utf-8")

    def _repair_and_read(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # torn last line: cut it off before appending
            with self.path.open("r+b") as fh:
                fh.truncate(end)
            data = data[:end]
        for n, line in enumerate(data.decode("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                key = (str(row["qid"]), int(row["branch"]))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                raise ValueError(f"{self.path}, line {n}: not a collection row; "
                                 "delete the file to start over") from None
            self.rows[key] = row  # a repeated key keeps its last copy

    def done(self, qid: str, branch: int) -> bool:
        return (qid, branch) in self.rows

    def append(self, row: dict[str, Any]) -> None:
        """Write one finished row and force it to disk."""
        self._fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.rows[(str(row["qid"]), int(row["branch"]))] = row

    def close(self) -> None:
        self._fh.close()


