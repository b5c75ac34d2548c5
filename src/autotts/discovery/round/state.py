"""A round's state, typed: what ``rounds/rNNNN/state.json`` holds.

The loop reads and writes attributes; the file keeps the keys it always had
(a field left at None is not written, a key this version does not know is
kept in ``extra`` and written back), so run directories from earlier versions
load and resume. Modules that still read a round as a mapping (``st["score"]``,
``st.get("full")``, ``{**st}``) keep working: the state offers the mapping
reads and item assignment over the same fields.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotts.discovery.run.files import (
    load_round_state,
    now,
    read_json,
    round_dir,
    round_numbers,
    write_json,
)

# Phases in order; a failure jumps to "archiving". "evaluated" sits between
# the sandboxed evaluation and the contract check.
PHASES = ("proposing", "proposed", "validated", "evaluated", "archiving", "done")
_ALWAYS = ("round", "phase", "origin", "seed_file", "status", "error", "started", "wall_s")


@dataclass
class RoundState:
    """One round: where it is, what it produced, what it cost."""

    round: int
    phase: str = "proposing"
    origin: str = "proposer"          # "seed" (a seed_dir file) or "proposer"
    seed_file: str | None = None
    status: str | None = None         # ok | invalid | failed, once decided
    error: str | None = None
    started: str | None = None
    wall_s: float = 0.0               # wall time spent on this round, all processes
    updated: str | None = None
    # propose
    prepared: bool | None = None
    parent: int | None = None
    proposer: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    proposal_meta: dict | None = None
    # validate
    class_name: str | None = None
    api: str | None = None
    grid: list[dict] | None = None
    # evaluate + contract
    seeds: int | None = None
    screened: bool | None = None
    isolation: str | None = None
    eval_wall_s: float | None = None
    score: dict | None = None
    # archive
    parent_name: str | None = None
    finished: str | None = None
    digest: str | None = None         # sha-256 of the archived files (tamper check)
    full: dict | None = None          # screening: the full-seed re-run's record
    extra: dict[str, Any] = field(default_factory=dict)

    # ---- file ------------------------------------------------------------------
    @classmethod
    def from_dict(cls, doc: dict) -> RoundState:
        """The state of a parsed ``state.json`` (unknown keys go to ``extra``)."""
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        return cls(**{k: v for k, v in doc.items() if k in known},
                   extra={k: v for k, v in doc.items() if k not in known})

    @classmethod
    def new(cls, n: int, origin: str, seed_file: str | None = None) -> RoundState:
        """A fresh round at phase ``proposing``."""
        return cls(round=n, origin=origin, seed_file=seed_file, started=now())

    @classmethod
    def load(cls, run_dir: Path, n: int) -> RoundState | None:
        """Round ``n``'s saved state, or None when it has none."""
        doc = read_json(round_dir(run_dir, n) / "state.json")
        return None if doc is None else cls.from_dict(doc)

    def to_dict(self) -> dict:
        """The ``state.json`` document: the fields that are set, then ``extra``."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name != "extra" and (v is not None or f.name in _ALWAYS):
                out[f.name] = v
        return {**out, **self.extra}

    def save(self, run_dir: Path) -> None:
        """Write ``state.json`` atomically (stamping ``updated``)."""
        self.updated = now()
        write_json(round_dir(run_dir, self.round) / "state.json", self.to_dict())

    def fail(self, status: str, error: str) -> None:
        """Mark the round bad (``invalid`` or ``failed``) and send it to archiving."""
        self.status, self.error, self.phase = status, error, "archiving"

    # ---- mapping reads, for modules that take a round as a dict ---------------
    def __getitem__(self, key: str) -> Any:
        doc = self.to_dict()
        return doc[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key in self.__dataclass_fields__ and key != "extra":
            setattr(self, key, value)
        else:
            self.extra[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self.to_dict()

    def get(self, key: str, default: Any = None) -> Any:
        """Like ``dict.get`` over the ``state.json`` keys."""
        return self.to_dict().get(key, default)

    def keys(self):
        """The ``state.json`` keys (so ``{**state}`` gives the document)."""
        return self.to_dict().keys()


def round_states(run) -> list[dict]:
    """Every round's saved state under ``run.dir``, in round order (as the
    state.json documents)."""
    return [load_round_state(run.dir, n) for n in round_numbers(run.dir)]
