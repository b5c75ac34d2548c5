"""A run directory: creating it, opening it, its stores and sandbox (baselines: baselines.py).

Layout (everything written by the parent process)::

    RUN/config.toml   settings            RUN/run.json      id, stores, status
    RUN/run.lock      held while working  RUN/baselines/    seed baselines' curves
    RUN/workspace/    the agent's view    RUN/rounds/rNNNN/ one archived round each
    RUN/final/        selection, held-out RUN/report.md     the run report
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from autotts import __version__
from autotts.data.catalog import resolve_data_dir, resolve_envs
from autotts.discovery.round.scoring import FitnessRule
from autotts.discovery.run.config import RunConfig
from autotts.discovery.run.config_file import config_to_toml, load_config
from autotts.discovery.run.files import RunError, now, read_json, write_json
from autotts.discovery.sandbox.boundary import secret_dirs
from autotts.discovery.sandbox.evaluate import SandboxSettings
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.env.store import ReplayStore, load_store
from autotts.evaluation.executors import Executor, RayExecutor
from autotts.fileio import write_atomic

RUN_FORMAT = 1
@dataclass
class Run:
    """An opened run directory."""

    dir: Path
    cfg: RunConfig
    meta: dict = field(default_factory=dict)

    @property
    def workspace(self) -> Path:
        return self.dir / "workspace"

    def store_refs(self, split: str) -> list[dict]:
        return self.meta["stores"][split]

    @cached_property
    def search_stores(self) -> list[ReplayStore]:
        return [load_store(r["path"], name=r["name"]) for r in self.store_refs("search")]

    @cached_property
    def held_out_stores(self) -> list[ReplayStore]:
        return [load_store(r["path"], name=r["name"]) for r in self.store_refs("held_out")]

    def workers(self) -> int:
        return self.cfg.sandbox.workers or os.cpu_count() or 1

    @cached_property
    def executor(self) -> Executor | None:
        """Where trusted evaluation runs: None for this machine (``[run] executor =
        "local"``), else the Ray executor (connected on first use)."""
        if self.cfg.run.executor == "local":
            return None
        return RayExecutor(address=self.cfg.run.ray_address or None)

    @cached_property
    def fitness(self) -> FitnessRule | None:
        """The proposer's own fitness rule, when it defines one: rounds are then
        also scored and picked by it (see ``proposers.proposer_fitness``)."""
        from autotts.discovery.proposers import proposer_fitness  # imports a backend

        return proposer_fitness(self.cfg.proposer.name, self.cfg.proposer.settings,
                                search_baselines=lambda: self.baselines("search"))

    def sandbox(self) -> SandboxSettings:
        iso = detect_isolation(self.cfg.sandbox.isolation)
        hide = {Path(r["path"]).resolve().parent for split in ("search", "held_out")
                for r in self.store_refs(split)}
        hide |= {self.dir.resolve(), Path(self.meta["data_dir"]).resolve()}
        hide |= {p.resolve() for p in secret_dirs()}  # the compiled-store cache: gold answers
        limits = Limits(cpu_s=self.cfg.caps.job_timeout_s, memory_mb=self.cfg.caps.memory_mb,
                        output_bytes=self.cfg.caps.output_kb * 1024, tmp_mb=self.cfg.caps.tmp_mb)
        return SandboxSettings(limits, iso, tuple(sorted(hide)), self.workers(),
                               self.cfg.history.trace_questions,
                               max_branches=self.cfg.sandbox.max_branches,
                               total_memory_mb=self.cfg.caps.total_memory_mb,
                               interference_check=self.cfg.sandbox.interference_check)

    def has_baselines(self, split: str) -> bool:
        """Whether the baselines of ``split`` were computed."""
        return (self.dir / "baselines" / f"{split}.json").is_file()

    def baselines(self, split: str) -> list[dict]:
        """Seed baselines' curve rows on ``split``, as ``baselines.compute_baselines``
        wrote them."""
        rows = read_json(self.dir / "baselines" / f"{split}.json")
        if rows is None:
            raise RunError(f"{self.dir}: no baselines for the {split} split yet (they are "
                           "computed when the loop starts and before the held-out phase)")
        return rows

    def sc64(self, split: str) -> dict[str, float]:
        """SC@64 tokens per store (the contract's and the frontier range's yardstick)."""
        return {r["store"]: r["tokens"] for r in self.baselines(split)
                if r["controller"] == "sc" and r["params"].get("n") == 64}

    def save_meta(self) -> None:
        write_json(self.dir / "run.json", self.meta)


def _resolve(specs: tuple[str, ...], root: Path) -> list[dict]:
    return [{"name": r.name, "path": str(Path(r.path).resolve())}
            for r in resolve_envs(list(specs), root)]


def init_run(run_dir: Path, cfg: RunConfig) -> Run:
    """Create a new run in ``run_dir``; refuses a directory that holds anything."""
    run_dir = Path(run_dir)
    if (run_dir / "run.json").exists():
        other = read_json(run_dir / "run.json", {})
        raise RunError(f"{run_dir} already holds run {other.get('id', '?')} (created "
                       f"{other.get('created', '?')}). Continue it with `autotts discover resume "
                       f"{run_dir}`, or choose a new directory.")
    if run_dir.exists() and any(run_dir.iterdir()):
        raise RunError(f"{run_dir} is not empty; a new run needs an empty or new directory")
    root = resolve_data_dir(cfg.run.data or None)
    search, held = _resolve(cfg.run.search, root), _resolve(cfg.run.held_out, root)
    overlap = {s["path"] for s in search} & {h["path"] for h in held}
    if overlap:
        raise RunError(f"stores in both search and held-out: {', '.join(sorted(overlap))}")
    run_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(run_dir / "config.toml", config_to_toml(cfg))
    meta = {"format": RUN_FORMAT, "autotts_version": __version__, "id": uuid.uuid4().hex[:12],
            "created": now(),
            "status": "initialized", "data_dir": str(root.resolve()),
            "stores": {"search": search, "held_out": held}}
    run = Run(run_dir, cfg, meta)
    run.save_meta()
    (run_dir / "workspace").mkdir(exist_ok=True)
    return run


def open_run(run_dir: Path) -> Run:
    """Open an existing run; raises RunError when ``run_dir`` holds none."""
    run_dir = Path(run_dir)
    try:
        meta = read_json(run_dir / "run.json")
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunError(f"{run_dir}/run.json is not valid JSON ({exc}); the run directory is "
                       "damaged: restore run.json or start a new run") from None
    if meta is None:
        raise RunError(f"{run_dir} holds no run (no run.json); create one with "
                       f"`autotts discover init {run_dir}`")
    if not isinstance(meta, dict) or meta.get("format") != RUN_FORMAT:
        found = meta.get("format") if isinstance(meta, dict) else None
        made_by = meta.get("autotts_version", "an unknown version") \
            if isinstance(meta, dict) else "an unknown version"
        raise RunError(f"{run_dir} was made by autotts {made_by} (run format {found!r}); this "
                       f"is autotts {__version__}, which reads run format {RUN_FORMAT}. Open it "
                       "with the version that made it, or start a new run directory")
    return Run(run_dir, load_config(run_dir / "config.toml"), meta)
