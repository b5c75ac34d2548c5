"""The run configuration: one TOML file, read into a frozen dataclass that
refuses unknown keys and wrong types, naming the file and the key."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autotts.toml_text import toml_value

DEFAULT_BETAS = tuple(round(0.1 * k, 1) for k in range(11))
DEFAULT_BASELINES = ("sc", "asc", "esc", "parallel-probe")
ISOLATION_MODES = ("auto", "strict", "bwrap", "unshare", "none")


class ConfigError(ValueError):
    """The run config is missing, unreadable or holds a bad value."""


@dataclass(frozen=True)
class RunConfig:
    """Every setting of a discovery run (see docs/discovery.md for each key)."""

    # [run]
    rounds: int = 5
    seeds: int = 100
    betas: tuple[float, ...] = DEFAULT_BETAS
    search: tuple[str, ...] = ("search",)
    held_out: tuple[str, ...] = ("held-out",)
    data: str = ""
    class_name: str = ""
    seed_dir: str = ""
    baselines: tuple[str, ...] = DEFAULT_BASELINES
    screen_seeds: int = 0        # 0 = off; else rounds are screened on seeds 0..screen_seeds-1
    screen_topk: int = 3         # screened rounds re-evaluated in full per selection rule
    # [caps]
    wall_minutes: float = 0.0
    proposer_cost_usd: float = 0.0
    job_timeout_s: float = 900.0
    memory_mb: int = 4096
    output_kb: int = 64
    total_memory_mb: int = 16384  # resident memory of all sandboxed jobs together; 0 = no cap
    tmp_mb: int = 256             # the tmpfs /tmp of each bubblewrap job
    # [sandbox]
    isolation: str = "auto"
    workers: int = 0
    static_checks: bool = True
    max_branches: int = 64        # the branch ceiling the judge enforces
    # [contract]
    beta_contract: bool = True
    contract_tolerance: float = 0.02
    contract_min_branches: float = 16.0
    contract_min_sc_share: float = 0.25
    max_settings: int = 11
    # [history]
    history_traces: bool = True
    trace_questions: int = 5
    # [proposer]
    proposer: str = "search"
    proposer_settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rounds < 0 or self.seeds < 1:
            raise ConfigError("rounds must be >= 0 and seeds >= 1")
        if not 0 <= self.screen_seeds < self.seeds:
            raise ConfigError(f"screen_seeds must be 0 (off) or between 1 and seeds - 1 "
                              f"(= {self.seeds - 1}), got {self.screen_seeds}")
        if self.screen_topk < 1:
            raise ConfigError("screen_topk must be >= 1")
        if not self.betas or any(not 0.0 <= b <= 1.0 for b in self.betas):
            raise ConfigError("betas must be a non-empty list of values in [0, 1]")
        if list(self.betas) != sorted(set(self.betas)):
            raise ConfigError("betas must be strictly increasing")
        if self.max_branches < 1:
            raise ConfigError("max_branches must be >= 1")
        if self.isolation not in ISOLATION_MODES:
            raise ConfigError(f"isolation must be one of {', '.join(ISOLATION_MODES)}")

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.seeds))

    @property
    def screening(self) -> bool:
        return self.screen_seeds > 0

    @property
    def round_seed_list(self) -> list[int]:
        """Seeds a round's candidate is evaluated on: the screening prefix, or all."""
        return list(range(self.screen_seeds)) if self.screening else self.seed_list


# TOML section -> (toml key, field name) pairs, in writing order.
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "run": (("rounds", "rounds"), ("seeds", "seeds"), ("betas", "betas"),
            ("search", "search"), ("held_out", "held_out"), ("data", "data"),
            ("class_name", "class_name"), ("seed_dir", "seed_dir"), ("baselines", "baselines"),
            ("screen_seeds", "screen_seeds"), ("screen_topk", "screen_topk")),
    "caps": (("wall_minutes", "wall_minutes"), ("proposer_cost_usd", "proposer_cost_usd"),
             ("job_timeout_s", "job_timeout_s"), ("memory_mb", "memory_mb"),
             ("output_kb", "output_kb"), ("total_memory_mb", "total_memory_mb"),
             ("tmp_mb", "tmp_mb")),
    "sandbox": (("isolation", "isolation"), ("workers", "workers"),
                ("static_checks", "static_checks"), ("max_branches", "max_branches")),
    "contract": (("enabled", "beta_contract"), ("tolerance", "contract_tolerance"),
                 ("min_branches", "contract_min_branches"),
                 ("min_sc_share", "contract_min_sc_share"), ("max_settings", "max_settings")),
    "history": (("traces", "history_traces"), ("trace_questions", "trace_questions")),
    "proposer": (("name", "proposer"),),
}
_FIELDS = {f.name: f for f in dataclasses.fields(RunConfig)}


def _coerce(value: Any, name: str, where: str) -> Any:
    """Check ``value`` against the field's default type; tuples for lists."""
    default = getattr(RunConfig(), name)
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, str):
        ok = isinstance(value, str)
    elif isinstance(default, tuple):
        ok = isinstance(value, list)
        value = tuple(value) if ok else value
        if ok and name == "betas":
            ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            value = tuple(float(v) for v in value) if ok else value
        elif ok:
            ok = all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, dict)
    if not ok:
        raise ConfigError(f"{where}: expected {type(default).__name__}, got {value!r}")
    return value


def config_from_dict(data: dict[str, Any], source: str = "<config>") -> RunConfig:
    """Build a RunConfig from parsed TOML; unknown sections or keys raise ConfigError."""
    values: dict[str, Any] = {}
    for section, body in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"{source}: unknown section [{section}] "
                              f"(known: {', '.join(SECTIONS)})")
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        keys = dict(SECTIONS[section])
        for key, value in body.items():
            if section == "proposer" and key == "settings":
                values["proposer_settings"] = _coerce(value, "proposer_settings",
                                                      f"{source}: [proposer.settings]")
                continue
            if key not in keys:
                raise ConfigError(f"{source}: unknown key '{key}' in [{section}] "
                                  f"(known: {', '.join(keys)})")
            values[keys[key]] = _coerce(value, keys[key], f"{source}: [{section}] {key}")
    try:
        return RunConfig(**values)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def load_config(path: str | Path) -> RunConfig:
    """Read and check a run config file; raises ConfigError naming the file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return config_from_dict(data, str(path))


def config_to_toml(cfg: RunConfig) -> str:
    """The config as TOML text (round-trips through :func:`load_config`)."""
    lines = ["# AutoTTS discovery run. Edit before `autotts discover run`; see docs/discovery.md."]
    for section, pairs in SECTIONS.items():
        lines.append(f"\n[{section}]")
        lines += [f"{key} = {toml_value(getattr(cfg, name))}" for key, name in pairs]
    lines.append("\n[proposer.settings]")
    lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in cfg.proposer_settings.items()]
    return "\n".join(lines) + "\n"


def with_overrides(cfg: RunConfig, **changes: Any) -> RunConfig:
    """A copy of ``cfg`` with fields replaced (None values are ignored)."""
    return dataclasses.replace(cfg, **{k: v for k, v in changes.items() if v is not None})
