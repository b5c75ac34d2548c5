"""The compiled-store cache: equal stores from a warm cache, and every failure of
the cache (off, unwritable, corrupt, planted) falling back to a normal load."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from autotts.data.catalog import PUBLISHED
from autotts.env import store_cache
from autotts.env.store import StoreError, load_store

from ..conftest import make_question, store_path, write_store

SCALARS = ("index", "text", "gold", "gold_id", "delta", "labels")
ARRAYS = ("probes", "n_probes", "tokens", "finals")


def assert_same(a, b) -> None:
    """Field by field, with types, dtypes and shapes."""
    assert (a.name, a.path, len(a.questions)) == (b.name, b.path, len(b.questions))
    for x, y in zip(a.questions, b.questions):
        for f in SCALARS:
            assert getattr(x, f) == getattr(y, f) and type(getattr(x, f)) is type(getattr(y, f))
        for f in ARRAYS:
            u, v = getattr(x, f), getattr(y, f)
            assert (u.dtype, u.shape) == (v.dtype, v.shape) and np.array_equal(u, v), f


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv(store_cache.ENV, str(root))
    return root


def entries(root) -> list:
    return sorted(root.rglob("*.npz")) if root.exists() else []


def small(tmp_path, name="M/aime24"):
    qs = [make_question([(["1", "2"], 900, "2"), ([], 50, "ERR"), (["7"] * 3, 3000, "7")],
                        gold="7", text="q0"),
          make_question([(["x"], 10, "y")], gold="z", delta=300, text="q1")]
    return write_store(tmp_path / "data" / f"{name}.json", qs)


@pytest.mark.parametrize("name", PUBLISHED)
def test_every_published_store_comes_back_equal(data_dir, cache, name):
    path = store_path(data_dir, name)
    fresh = load_store(path, name=name, cache=False)
    assert entries(cache) == []
    first = load_store(path, name=name)    # a miss: compiles and writes the entry
    assert len(entries(cache)) == 1
    warm = load_store(path, name=name)      # a hit
    assert_same(fresh, first)
    assert_same(fresh, warm)


def test_name_and_path_are_the_calls_not_the_cached_ones(tmp_path, cache):
    a = small(tmp_path)
    b = tmp_path / "elsewhere" / "Other" / "hmmt25.json"
    b.parent.mkdir(parents=True)
    shutil.copy(a, b)
    load_store(a, name="first/name")
    hit = load_store(b)                      # same bytes: the same entry
    assert len(entries(cache)) == 1
    assert (hit.name, hit.path) == ("Other/hmmt25", str(b))
    assert_same(load_store(b, cache=False), hit)


def test_other_bytes_get_their_own_entry(tmp_path, cache):
    path = small(tmp_path)
    load_store(path)
    data = json.loads(path.read_text())
    data[0]["gold_answer"] = "2"
    path.write_text(json.dumps(data))
    store = load_store(path)
    assert len(entries(cache)) == 2 and store.questions[0].gold == "2"


def test_off_and_empty_turn_the_cache_off(tmp_path, monkeypatch):
    path = small(tmp_path)
    for value in ("", "off"):
        monkeypatch.setenv(store_cache.ENV, value)
        assert store_cache.cache_dir() is None
        load_store(path)
    assert not any(tmp_path.rglob("*.npz"))


def test_default_location_is_under_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(store_cache.ENV)
    monkeypatch.setenv("AUTOTTS_CACHE", str(tmp_path / "user"))
    assert store_cache.cache_dir() == tmp_path / "user" / "stores"


def test_code_key_names_the_entry_folder(tmp_path, cache):
    load_store(small(tmp_path))
    (entry,) = entries(cache)
    assert entry.parent == cache / store_cache.code_key()


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "bad_ids", "bad_index",
                                    "extra_member", "pickled_object"])
def test_a_corrupt_entry_is_ignored_and_deleted(tmp_path, cache, damage):
    path = small(tmp_path)
    fresh = load_store(path, cache=False)
    load_store(path)
    (entry,) = entries(cache)
    _damage(entry, damage)
    assert_same(fresh, load_store(path))      # recompiled, not trusted
    (again,) = entries(cache)                 # and the entry written afresh
    assert store_cache.read(again) is not None


def _damage(entry, how: str) -> None:
    raw = entry.read_bytes()
    if how == "truncate":
        entry.write_bytes(raw[: len(raw) // 2])
    elif how == "garbage":
        entry.write_bytes(raw[:200] + bytes(len(raw) - 200))
    elif how == "empty":
        entry.write_bytes(b"")
    else:
        with np.load(entry) as npz:
            members = {k: npz[k] for k in npz.files}
        if how == "bad_ids":
            members["finals"] = members["finals"] + 100
        elif how == "bad_index":
            members["scalars"][1, 0] = 0
        elif how == "extra_member":
            members["extra"] = np.zeros(3)
        else:  # an object array only unpickling could read: refused by allow_pickle=False
            members["probes"] = np.array([{"x": 1}], dtype=object)
        with open(entry, "wb") as fh:
            np.savez(fh, **members)


def test_an_unwritable_cache_only_costs_the_entry(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(store_cache.ENV, str(blocker / "cache"))
    path = small(tmp_path)
    assert_same(load_store(path, cache=False), load_store(path))


def test_read_and_write_errors_fall_back_to_a_normal_load(tmp_path, cache, monkeypatch):
    # as a read-only or unreadable folder would (chmod does not stop root)
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    path = small(tmp_path)
    fresh = load_store(path, cache=False)
    monkeypatch.setattr(store_cache, "write_atomic", refuse)
    assert_same(fresh, load_store(path))
    assert entries(cache) == []
    monkeypatch.undo()
    monkeypatch.setenv(store_cache.ENV, str(cache))
    load_store(path)
    monkeypatch.setattr(store_cache.np, "load", refuse)
    assert_same(fresh, load_store(path))


def test_a_bad_store_raises_as_before_and_leaves_no_entry(tmp_path, cache):
    bad = write_store(tmp_path / "M" / "x.json", [{"question": "q"}])
    with pytest.raises(StoreError, match="missing required key"):
        load_store(bad)
    assert entries(cache) == []
