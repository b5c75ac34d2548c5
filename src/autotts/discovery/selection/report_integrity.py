"""The report's first lines when something is wrong: rounds whose archive was
tampered with, held-out files edited after sealing, rounds judged under a
sandbox weaker than the full bubblewrap boundary."""

from __future__ import annotations

from pathlib import Path

from autotts.discovery.run.directory import Run
from autotts.discovery.run.integrity import file_intact


def integrity_lines(run: Run, every: list[dict], bad: set[int]) -> list[str]:
    """What the reader must know first: tampered rounds, edited held-out files,
    sandbox modes weaker than the full boundary."""
    out = []
    if bad:
        names = ", ".join(f"r{n:04d}" for n in sorted(bad))
        out.append(f"**TAMPERED ROUNDS (excluded from selection): {names}**")
    edited = [rel for rel in run.meta.get("seals", {})
              if file_intact(run, rel, _round_of(rel)) is False]
    if edited:
        out.append(f"**EDITED AFTER SEALING (not used): {', '.join(sorted(edited))}**")
    # "kernel": a generated design judged on the compiled kernel; its file never ran
    weak = sorted({(s.get("isolation") or {}).get("mode", "?") for s in every}
                  - {"bwrap", "kernel"})
    if weak and every:
        out.append(f"**WEAK SANDBOX: rounds ran under isolation {', '.join(weak)} (not the "
                   f"full bubblewrap boundary); see docs/discovery.md, threat model**")
    return out + ([""] if out else [])


def _round_of(rel: str) -> int | None:
    name = Path(rel).stem
    return int(name[len("heldout_r"):]) if name.startswith("heldout_r") else None
