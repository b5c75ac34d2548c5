"""Finding stores: data directory precedence, listing, name resolution and the load cache."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from autotts.data import catalog
from autotts.data.catalog import (
    CatalogError,
    find_stores,
    resolve_data_dir,
    resolve_envs,
)
from autotts.env.store import StoreError


def _tiny(n_questions: int = 1, gold: str = "1") -> list[dict]:
    return [{"question": f"q{i}", "gold_answer": gold, "probe_freq": 500,
             "each_branch": [[["1"], 700, "1"], [[], 100, "2"]]} for i in range(n_questions)]


def _layout(root: Path, names=catalog.PUBLISHED, suffix: str = ".json") -> Path:
    for name in names:
        path = root / f"{name}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_tiny()))
    return root


def test_constants_describe_the_published_splits():
    assert len(catalog.PUBLISHED) == 12
    assert catalog.SEARCH_SPLIT == tuple(f"{m}/aime24" for m in catalog.MODELS)
    assert len(catalog.HELD_OUT_SPLIT) == 8
    assert set(catalog.SEARCH_SPLIT) | set(catalog.HELD_OUT_SPLIT) == set(catalog.PUBLISHED)
    assert not set(catalog.SEARCH_SPLIT) & set(catalog.HELD_OUT_SPLIT)


def test_resolve_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("AUTOTTS_DATA", str(tmp_path / "env"))
    assert resolve_data_dir(str(tmp_path / "flag")) == tmp_path / "flag"
    assert resolve_data_dir(None) == tmp_path / "env"
    monkeypatch.setenv("AUTOTTS_DATA", "")
    monkeypatch.setattr(catalog, "user_cache_dir", lambda app: str(tmp_path / "cache" / app))
    assert resolve_data_dir(None) == tmp_path / "cache" / "autotts" / "replay"
    monkeypatch.delenv("AUTOTTS_DATA")
    assert resolve_data_dir() == tmp_path / "cache" / "autotts" / "replay"
    assert resolve_data_dir("~/x") == Path(os.path.expanduser("~/x"))


def test_find_stores_lists_sorted_and_ignores_other_files(tmp_path):
    _layout(tmp_path, ["B/x", "A/y"])
    _layout(tmp_path, ["A/z"], suffix=".json.gz")
    (tmp_path / "A" / "w.json.part").write_text("partial")
    (tmp_path / "A" / "notes.txt").write_text("hi")
    (tmp_path / "loose.json").write_text("[]")  # not under a model directory
    refs = find_stores(tmp_path)
    assert [r.name for r in refs] == ["A/y", "A/z", "B/x"]
    assert refs[1].path == tmp_path / "A" / "z.json.gz"
    assert refs[0].size == (tmp_path / "A" / "y.json").stat().st_size
    assert (refs[0].model, refs[0].dataset) == ("A", "y")


def test_find_stores_prefers_plain_json_and_handles_missing_root(tmp_path):
    _layout(tmp_path, ["A/y"], suffix=".json.gz")
    _layout(tmp_path, ["A/y"])
    assert [r.path.name for r in find_stores(tmp_path)] == ["y.json"]
    assert find_stores(tmp_path / "absent") == []


def test_resolve_envs_splits_names_and_globs(tmp_path):
    _layout(tmp_path)
    assert [r.name for r in resolve_envs(["all"], tmp_path)] == list(catalog.PUBLISHED)
    assert [r.name for r in resolve_envs(["search"], tmp_path)] == list(catalog.SEARCH_SPLIT)
    assert [r.name for r in resolve_envs(["held-out"], tmp_path)] == list(catalog.HELD_OUT_SPLIT)
    got = resolve_envs(["Qwen3-8B/hmmt25", "search", "Qwen3-8B/hmmt25"], tmp_path)
    assert [r.name for r in got] == ["Qwen3-8B/hmmt25", *catalog.SEARCH_SPLIT]
    assert [r.name for r in resolve_envs(["Qwen3-4B/*"], tmp_path)] == [
        "Qwen3-4B/aime24", "Qwen3-4B/aime25", "Qwen3-4B/hmmt25"]
    assert [r.name for r in resolve_envs(["*/hmmt25"], tmp_path)] == [
        f"{m}/hmmt25" for m in catalog.MODELS]


def test_resolve_envs_accepts_a_store_file(tmp_path):
    path = _layout(tmp_path / "custom", ["MyModel/mine"]) / "MyModel" / "mine.json"
    [ref] = resolve_envs([str(path)], tmp_path / "elsewhere")
    assert (ref.name, ref.path) == ("MyModel/mine", path)


def test_unknown_name_lists_what_exists(tmp_path):
    _layout(tmp_path, ["Qwen3-4B/aime24", "Qwen3-8B/aime24"])
    with pytest.raises(CatalogError) as err:
        resolve_envs(["Qwen3-4B/aime99"], tmp_path)
    text = str(err.value)
    assert "'Qwen3-4B/aime99'" in text and str(tmp_path) in text
    assert "Qwen3-4B/aime24, Qwen3-8B/aime24" in text and "held-out" in text
    with pytest.raises(CatalogError, match=r"no store named 'Nope/\*' under"):
        resolve_envs(["Nope/*"], tmp_path)


def test_missing_published_store_suggests_pull(tmp_path):
    _layout(tmp_path, catalog.SEARCH_SPLIT)
    with pytest.raises(CatalogError,
                       match=r"'held-out' needs 8 stores but 8 are missing.*data pull"):
        resolve_envs(["held-out"], tmp_path)
    with pytest.raises(CatalogError, match=r"'Qwen3-4B/hmmt25' is not under .*data pull"):
        resolve_envs(["Qwen3-4B/hmmt25"], tmp_path)
    with pytest.raises(CatalogError, match="no stores found under"):
        resolve_envs(["Foo/bar"], tmp_path / "empty")
    with pytest.raises(CatalogError, match="no stores named"):
        resolve_envs([], tmp_path)


def test_load_is_cached_and_refreshed_when_the_file_changes(tmp_path):
    [ref] = find_stores(_layout(tmp_path, ["M/d"]))
    first = catalog.load(ref)
    assert catalog.load(ref) is first and len(first) == 1 and first.name == "M/d"
    ref.path.write_text(json.dumps(_tiny(n_questions=3)))
    os.utime(ref.path, ns=(1, 1))  # a distinct mtime even on coarse clocks
    second = catalog.load(ref)
    assert second is not first and len(second) == 3


def test_load_reports_bad_stores(tmp_path):
    [ref] = find_stores(_layout(tmp_path, ["M/d"]))
    ref.path.write_text("{}")
    with pytest.raises(StoreError, match="expected a JSON list"):
        catalog.load(ref)
    ref.path.unlink()
    with pytest.raises(StoreError, match="file not found"):
        catalog.load(ref)


def test_real_stores_resolve(monkeypatch):
    root = os.environ.get("AUTOTTS_DATA")
    if not root:
        pytest.skip("AUTOTTS_DATA is not set")
    refs = resolve_envs(["all"], resolve_data_dir(None))
    assert [r.name for r in refs] == list(catalog.PUBLISHED)
    store = catalog.load(refs[0])
    assert (len(store), store.n_branches, store.delta) == (30, 128, 500)
