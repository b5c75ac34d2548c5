"""The run configuration as a TOML file: read (refusing unknown sections and
keys and wrong types, naming the file and the key) and written back."""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path
from typing import Any

from autotts.discovery.run.config import SECTION_TYPES, SECTIONS, ConfigError, RunConfig
from autotts.toml_text import toml_value


def _coerce(value: Any, default: Any, name: str, where: str) -> Any:
    """Check ``value`` against the field's default type; tuples for lists."""
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
    sections: dict[str, Any] = {}
    for section, body in data.items():
        if section not in SECTIONS:
            raise ConfigError(f"{source}: unknown section [{section}] "
                              f"(known: {', '.join(SECTIONS)})")
        if not isinstance(body, dict):
            raise ConfigError(f"{source}: [{section}] must be a table")
        cls = SECTION_TYPES[section]
        defaults = cls()
        known = [f.name for f in dataclasses.fields(cls)]
        values = {}
        for key, value in body.items():
            where = f"{source}: [proposer.settings]" if (section, key) == ("proposer", "settings") \
                else f"{source}: [{section}] {key}"
            if key not in known:
                raise ConfigError(f"{source}: unknown key '{key}' in [{section}] "
                                  f"(known: {', '.join(k for k, _ in SECTIONS[section])})")
            values[key] = _coerce(value, getattr(defaults, key), key, where)
        try:
            sections[section] = cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{source}: [{section}] {exc}") from None
    return RunConfig(**sections)


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
        body = getattr(cfg, section)
        lines += [f"{key} = {toml_value(getattr(body, name))}" for key, name in pairs]
    lines.append("\n[proposer.settings]")
    lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in cfg.proposer.settings.items()]
    return "\n".join(lines) + "\n"
