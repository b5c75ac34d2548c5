"""The run configuration: one TOML file, read into a frozen dataclass that
refuses unknown keys and wrong types, naming the file and the key."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from autotts.errors import InputError

DEFAULT_BETAS = tuple(round(0.1 * k, 1) for k in range(11))
DEFAULT_BASELINES = ("sc", "asc", "esc", "parallel-probe", "short-m@k-beta")
ISOLATION_MODES = ("auto", "strict", "bwrap", "unshare", "none")
# Where trusted evaluation (the search's screening, generated designs' grids,
# the built-in baselines) runs: this machine's processes, or Ray tasks.
RUN_EXECUTORS = ("local", "ray")


class ConfigError(InputError, ValueError):
    """The run config is missing, unreadable or holds a bad value."""


def _opt(default: Any, help: str, cli: str | None = None, **kw: Any) -> Any:
    """A config field: its default, its help text and (when the discover CLI
    offers it) its option name; ``kw`` goes to :func:`dataclasses.field`."""
    meta = {"help": help, "cli": cli}
    if isinstance(default, dict):
        return field(default_factory=dict, metadata=meta, **kw)
    return field(default=default, metadata=meta, **kw)


@dataclass(frozen=True)
class RunSection:
    """``[run]``: what is searched, on which stores, with how many seeds."""

    rounds: int = _opt(5, "Proposer rounds (default 5).", "--rounds")
    seeds: int = _opt(100, "Shuffle seeds per evaluation (default 100, as the paper).", "--seeds")
    betas: tuple[float, ...] = _opt(DEFAULT_BETAS, "Beta grid, comma-separated "
                                    "(default 0,0.1,...,1).", "--betas")
    search: tuple[str, ...] = _opt(("search",), "Search store(s): MODEL/DATASET, a glob or "
                                   "'search' (default: the four aime24 stores).", "--search")
    held_out: tuple[str, ...] = _opt(("held-out",), "Held-out store(s) (default: 'held-out' "
                                     "= aime25 + hmmt25).", "--held-out")
    data: str = _opt("", "Store directory (default $AUTOTTS_DATA, else the user cache).",
                     "--data")
    class_name: str = _opt("", "The candidate class to evaluate (default: found).")
    seed_dir: str = _opt("", "Folder of earlier controller files, each evaluated as a round "
                         "first.", "--seed-dir")
    baselines: tuple[str, ...] = _opt(DEFAULT_BASELINES, "Seed baselines shown to the agent.")
    seed: int = _opt(0, "Run seed: a deterministic proposer (the built-in search) draws its "
                     "randomness from it and the round number (default 0).", "--seed")
    screen_seeds: int = _opt(0, "Screening mode: evaluate each round on this many seeds only and "
                             "re-run the best rounds on all --seeds before selection (default 0 "
                             "= off).", "--screen-seeds")
    screen_topk: int = _opt(3, "Screening mode: re-run the top K rounds by screened accuracy and "
                            "the top K by screened frontier area in full (default 3).",
                            "--screen-topk")
    executor: str = _opt("local", "Where trusted evaluation runs (the search's screening, "
                         "generated designs' grids, baselines): local processes (default) or "
                         "ray tasks; untrusted candidates always run in the local sandbox.",
                         "--executor")
    ray_address: str = _opt("", "Ray cluster address for --executor ray (default: "
                            "$RAY_ADDRESS, else start a local Ray).", "--ray-address")

    def __post_init__(self) -> None:
        if self.rounds < 0 or self.seeds < 1:
            raise ConfigError("rounds must be >= 0 and seeds >= 1")
        if not 0 <= self.screen_seeds < self.seeds:
            raise ConfigError(f"screen_seeds must be 0 (off) or between 1 and seeds - 1 "
                              f"(= {self.seeds - 1}), got {self.screen_seeds}")
        if self.screen_topk < 1:
            raise ConfigError("screen_topk must be >= 1")
        if self.executor not in RUN_EXECUTORS:
            raise ConfigError(f"executor must be one of {', '.join(RUN_EXECUTORS)}, "
                              f"got {self.executor!r}")
        if not self.betas or any(not 0.0 <= b <= 1.0 for b in self.betas):
            raise ConfigError("betas must be a non-empty list of values in [0, 1]")
        if list(self.betas) != sorted(set(self.betas)):
            raise ConfigError("betas must be strictly increasing")

    @property
    def seed_list(self) -> list[int]:
        """Every seed: ``0 .. seeds - 1``."""
        return list(range(self.seeds))

    @property
    def screening(self) -> bool:
        """Whether rounds are screened on a prefix of the seeds."""
        return self.screen_seeds > 0

    @property
    def round_seed_list(self) -> list[int]:
        """Seeds a round's candidate is evaluated on: the screening prefix, or all."""
        return list(range(self.screen_seeds)) if self.screening else self.seed_list


@dataclass(frozen=True)
class CapsSection:
    """``[caps]``: the run's wall budget and cost cap, and one sandboxed job's limits."""

    wall_minutes: float = _opt(0.0, "Wall budget of the whole job in minutes (0 = none).")
    proposer_cost_usd: float = _opt(0.0, "Proposer cost cap in USD (0 = none).")
    job_timeout_s: float = _opt(900.0, "CPU seconds of one sandboxed job (the wall-clock "
                                  "backstop is 3x that, at least +120 s, with one retry).")
    memory_mb: int = _opt(4096, "Address-space limit of one sandboxed job.")
    output_kb: int = _opt(64, "Captured stdout/stderr per job.")
    total_memory_mb: int = _opt(16384, "Resident memory of all sandboxed jobs together "
                                "(0 = no cap); past it the biggest job is killed.")
    tmp_mb: int = _opt(256, "Size of the tmpfs /tmp of each bubblewrap job.")


@dataclass(frozen=True)
class SandboxSection:
    """``[sandbox]``: how candidates are isolated and how many jobs run at once."""

    isolation: str = _opt("auto", "Sandbox isolation: auto (the strongest available), strict "
                          "(bubblewrap or refuse to run), bwrap, unshare or none.", "--isolation")
    workers: int = _opt(0, "Parallel sandboxed jobs (0 = CPU count).")
    static_checks: bool = _opt(True, "Static validation before a candidate runs (keep on).")
    max_branches: int = _opt(64, "The branch ceiling the judge enforces per question.")
    interference_check: bool = _opt(True, "UNSAFE to turn off: the judge's twin/alone re-runs "
                                    "of sampled episodes, the only check that a score "
                                    "depends on nothing the candidate's actions did not "
                                    "reveal (docs/discovery.md, threat model).")

    def __post_init__(self) -> None:
        if self.max_branches < 1:
            raise ConfigError("max_branches must be >= 1")
        if self.isolation not in ISOLATION_MODES:
            raise ConfigError(f"isolation must be one of {', '.join(ISOLATION_MODES)}")


@dataclass(frozen=True)
class ContractSection:
    """``[contract]``: the single-beta contract (controllers/contract.py)."""

    enabled: bool = _opt(True, "Ablation off-switch: no single-beta contract; candidates list "
                         "free SETTINGS tuned on the search split.", "--no-contract")
    tolerance: float = _opt(0.02, "Relative drop in tokens allowed as beta grows.")
    min_branches: float = _opt(16.0, "Branches beta = 1 must reach on some store ...")
    min_sc_share: float = _opt(0.25, "... or this share of SC@64's tokens.")
    max_settings: int = _opt(11, "Most free SETTINGS evaluated without the contract.")

    def rule(self) -> dict[str, float]:
        """The keyword arguments of :func:`~autotts.controllers.contract.contract_violations`."""
        return {"tolerance": self.tolerance, "min_branches": self.min_branches,
                "min_sc_share": self.min_sc_share}


@dataclass(frozen=True)
class HistorySection:
    """``[history]``: what the proposer sees of earlier rounds."""

    traces: bool = _opt(True, "Ablation off-switch: history without execution traces (curves "
                        "only).", "--no-traces")
    trace_questions: int = _opt(5, "Questions traced per traced setting.")


@dataclass(frozen=True)
class ProposerSection:
    """``[proposer]``: which proposer and its backend settings."""

    name: str = _opt("search", "Proposer: search (default), command, claude-sdk, openai or "
                     "manual.", "--proposer")
    settings: dict[str, Any] = _opt({}, "A proposer setting (repeatable), e.g. --set "
                                    "model=qwen2.5-coder.", "--set")


SECTION_TYPES: dict[str, type] = {"run": RunSection, "caps": CapsSection,
                                  "sandbox": SandboxSection, "contract": ContractSection,
                                  "history": HistorySection, "proposer": ProposerSection}


@dataclass(frozen=True, init=False)
class RunConfig:
    """Every setting of a discovery run, one frozen section per TOML table
    (see docs/discovery.md for each key). Each component is handed only its
    section (``cfg.contract``, ``cfg.caps``, ...)."""

    run: RunSection
    caps: CapsSection
    sandbox: SandboxSection
    contract: ContractSection
    history: HistorySection
    proposer: ProposerSection

    def __init__(self, **values: Any) -> None:
        """Sections by name (``run=RunSection(...)``) and/or single settings by
        their flat name (``rounds=3``, ``beta_contract=False``)."""
        sections = {k: values.pop(k) for k in list(values) if k in SECTION_TYPES
                    and isinstance(values[k], SECTION_TYPES[k])}
        if isinstance(values.get("proposer"), str):  # the proposer's name, as before sections
            values["proposer_name"] = values.pop("proposer")
        per: dict[str, dict[str, Any]] = {k: {} for k in SECTION_TYPES}
        for flat, value in values.items():
            if flat not in FLAT:
                raise ConfigError(f"unknown setting {flat!r}")
            section, name = FLAT[flat]
            per[section][name] = value
        for name, cls in SECTION_TYPES.items():
            base = sections.get(name) or cls()
            object.__setattr__(self, name, dataclasses.replace(base, **per[name]))

    def __getattr__(self, flat: str) -> Any:
        # Transitional: flat names (cfg.seeds, cfg.beta_contract) still read;
        # new code reads the section (cfg.run.seeds, cfg.contract.enabled).
        where = FLAT.get(flat) or _RUN_PROPERTIES.get(flat)
        if where is None:
            raise AttributeError(f"RunConfig has no setting {flat!r}")
        return getattr(object.__getattribute__(self, where[0]), where[1])

    def __reduce__(self):
        return (_rebuild, (tuple((k, getattr(self, k)) for k in SECTION_TYPES),))


def _rebuild(items: tuple) -> RunConfig:
    return RunConfig(**dict(items))


# TOML section -> (toml key, field name) pairs, in writing order; the flat
# names older code uses for each field.
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    name: tuple((f.name, f.name) for f in dataclasses.fields(cls)
                if not (name == "proposer" and f.name == "settings"))
    for name, cls in SECTION_TYPES.items()}
_FLAT_ALIASES = {("caps", n): n for n, _ in SECTIONS["caps"]} | {
    ("contract", "enabled"): "beta_contract", ("contract", "tolerance"): "contract_tolerance",
    ("contract", "min_branches"): "contract_min_branches",
    ("contract", "min_sc_share"): "contract_min_sc_share",
    ("contract", "max_settings"): "max_settings", ("history", "traces"): "history_traces",
    ("history", "trace_questions"): "trace_questions", ("proposer", "name"): "proposer_name",
    ("proposer", "settings"): "proposer_settings"}
FLAT: dict[str, tuple[str, str]] = {}
for _section, _cls in SECTION_TYPES.items():
    for _f in dataclasses.fields(_cls):
        FLAT[_FLAT_ALIASES.get((_section, _f.name), _f.name)] = (_section, _f.name)
_RUN_PROPERTIES = {p: ("run", p) for p in ("seed_list", "screening", "round_seed_list")}


def cli_fields() -> list[tuple[str, str, dataclasses.Field]]:
    """(section, flat name, field) of every setting the discover CLI offers."""
    return [(section, flat, f) for flat, (section, name) in FLAT.items()
            for f in dataclasses.fields(SECTION_TYPES[section])
            if f.name == name and f.metadata.get("cli")]
