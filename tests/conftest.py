"""Shared fixtures: the real replay data (via $AUTOTTS_DATA) and tiny hand-made stores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autotts.env.store import load_store


@pytest.fixture(scope="session", autouse=True)
def _store_cache(tmp_path_factory):
    """Compiled stores are cached in one temporary folder per session, never in
    the user cache (the variable reaches the CLI's subprocesses too)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AUTOTTS_STORE_CACHE", str(tmp_path_factory.mktemp("store-cache")))
        yield


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Directory of the published stores ($AUTOTTS_DATA, else the user cache);
    skips when it holds no stores."""
    from autotts.data.catalog import find_stores, resolve_data_dir

    root = resolve_data_dir(None)
    if not root.is_dir() or not find_stores(root):
        pytest.skip(f"no replay stores in {root}: set AUTOTTS_DATA or run `autotts data pull`")
    return root


def store_path(root: Path, name: str) -> Path:
    for suffix in (".json.gz", ".json"):
        p = root / f"{name}{suffix}"
        if p.exists():
            return p
    pytest.skip(f"store {name} not found under {root}")


@pytest.fixture(scope="session")
def real_store(data_dir):
    """Factory: load a published store by 'Model/dataset'."""
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load_store(store_path(data_dir, name), name=name)
        return cache[name]

    return get


def write_store(path: Path, questions: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(questions))
    return path


def make_question(branches, gold="1", delta=500, text="q") -> dict:
    """branches: list of (probe_list, tokens, final)."""
    return {"question": text, "gold_answer": gold, "probe_freq": delta,
            "final_answers_trace": [b[2] for b in branches],
            "each_branch": [[list(p), t, f] for p, t, f in branches]}


@pytest.fixture
def tiny_store(tmp_path):
    """Factory: write questions to a temp store file and load it."""

    def build(questions: list[dict], name="Tiny/test"):
        p = write_store(tmp_path / f"{name}.json", questions)
        return load_store(p, name=name)

    return build
