"""What a run's sandbox settings record as hidden from candidates."""

from __future__ import annotations

from pathlib import Path


def test_hidden_folders_include_the_stores_the_run_and_the_store_cache(make_run, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("AUTOTTS_STORE_CACHE", str(tmp_path / "store-cache"))
    run = make_run(rounds=0)
    hide = set(run.sandbox().hide)
    stores = {Path(r["path"]).parent for split in ("search", "held_out")
              for r in run.store_refs(split)}
    assert stores | {run.dir.resolve(), (tmp_path / "store-cache").resolve()} <= hide


def test_no_cache_folder_is_recorded_when_the_cache_is_off(make_run, monkeypatch):
    monkeypatch.setenv("AUTOTTS_STORE_CACHE", "off")
    run = make_run(rounds=0)
    assert not any("store-cache" in str(p) for p in run.sandbox().hide)
