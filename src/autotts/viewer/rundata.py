"""What the viewer shows, read from a run directory as it is on disk.

Only files are read: no store is opened, no baseline is computed and the run
lock is not taken, so a page can be built while the loop is writing (every
file there is replaced atomically). Held-out files (``final/``) are read only
when ``final/selection.json`` exists, i.e. after selection.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from autotts.discovery.run.config import RunConfig
from autotts.discovery.run.config_file import load_config
from autotts.discovery.run.files import RunError, read_json, round_dir, round_numbers

TRANSCRIPT_CHARS = 20_000  # a long agent transcript is cut in the page (the file keeps it all)


@dataclass
class RoundData:
    """One round: its state file and the files next to it."""

    n: int
    state: dict
    source: str = ""
    parent_name: str = ""
    diff: str = ""
    cells: list[dict] = field(default_factory=list)
    traces: list[dict] = field(default_factory=list)
    transcript: str = ""

    @property
    def done(self) -> bool:
        return self.state.get("phase") == "done"

    @property
    def label(self) -> str:
        return f"r{self.n:04d}"


@dataclass
class RunData:
    """A whole run: config, meta, baselines, rounds and (after selection) the final results."""

    dir: Path
    cfg: RunConfig
    meta: dict
    baselines: list[dict]
    rounds: list[RoundData]
    selection: dict | None = None
    held_out_baselines: list[dict] = field(default_factory=list)
    held_out: dict[int, dict] = field(default_factory=dict)

    @property
    def search_stores(self) -> list[str]:
        return [s["name"] for s in self.meta.get("stores", {}).get("search", [])]

    @property
    def held_out_stores(self) -> list[str]:
        return [s["name"] for s in self.meta.get("stores", {}).get("held_out", [])]


def _text(path: Path, limit: int | None = None) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    if limit is not None and len(text) > limit:
        return text[:limit] + f"\n... ({len(text) - limit} more characters in {path.name})\n"
    return text


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in _text(path).splitlines() if line.strip()]


def _parent_diff(run_dir: Path, st: dict, source: str) -> tuple[str, str]:
    """(parent name, unified diff): the archived diff.patch, else difflib against the parent now."""
    rdir = round_dir(run_dir, st["round"])
    parent = st.get("parent")
    name = st.get("parent_name") or (f"r{parent:04d}" if parent is not None else "template.py")
    if (rdir / "diff.patch").is_file():
        return name, _text(rdir / "diff.patch")
    # a round not archived yet; imported here since the workspace module pulls in
    # every controller (and scipy), which the common path does not need
    from autotts.discovery.round.archive import diff_text
    from autotts.discovery.workspace.agent_files import template_text

    parent_file = round_dir(run_dir, parent) / "candidate.py" if parent is not None else None
    parent_src = _text(parent_file) if parent_file and parent_file.is_file() else \
        template_text("template.py")
    return name, diff_text(parent_src, source, name) if source else ""


def load_round(run_dir: Path, n: int) -> RoundData | None:
    """Round ``n`` as far as it got (None when its state file is gone)."""
    st = read_json(round_dir(run_dir, n) / "state.json")
    if st is None:
        return None
    rdir = round_dir(run_dir, n)
    source = _text(rdir / "candidate.py")
    parent_name, diff = _parent_diff(run_dir, st, source)
    results = read_json(rdir / "results.json") or {}
    return RoundData(n=n, state=st, source=source, parent_name=parent_name, diff=diff,
                     cells=list(results.get("cells") or []), traces=_jsonl(rdir / "traces.jsonl"),
                     transcript=_text(rdir / "transcript.txt", TRANSCRIPT_CHARS))


def load_run(run_dir: str | Path) -> RunData:
    """Everything the page shows; raises RunError when ``run_dir`` holds no run."""
    run_dir = Path(run_dir)
    meta = read_json(run_dir / "run.json")
    if meta is None:
        raise RunError(f"{run_dir} holds no run (no run.json); start one with "
                       f"`autotts discover init {run_dir}`")
    rounds = [r for r in (load_round(run_dir, n) for n in round_numbers(run_dir)) if r]
    data = RunData(dir=run_dir, cfg=load_config(run_dir / "config.toml"), meta=meta,
                   baselines=read_json(run_dir / "baselines" / "search.json") or [],
                   rounds=rounds)
    sel = read_json(run_dir / "final" / "selection.json")
    if sel is not None:
        data.selection = sel
        data.held_out_baselines = read_json(run_dir / "baselines" / "held_out.json") or []
        for r in rounds:
            doc = read_json(run_dir / "final" / f"heldout_r{r.n:04d}.json")
            if doc is not None:
                data.held_out[r.n] = doc
    return data


def run_version(run_dir: str | Path) -> str:
    """A short fingerprint of every file the page is built from (names, sizes,
    modification times): it changes whenever a round moves on or a file lands."""
    run_dir = Path(run_dir)
    h = hashlib.sha256()
    files = [run_dir / "run.json", run_dir / "config.toml"]
    for sub in ("baselines", "final", "rounds"):
        if (run_dir / sub).is_dir():
            files += (p for p in (run_dir / sub).rglob("*") if not p.name.endswith(".tmp"))
    for p in sorted(files):
        try:
            st = p.stat()
        except FileNotFoundError:
            continue
        h.update(f"{p.relative_to(run_dir)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]
