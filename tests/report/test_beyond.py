"""``reproduce table1`` beyond the paper: a separate sweep, table and figure
with short-m@k, Answer Consistency, ST-BoN and the envelope; Table 1 unchanged."""

from __future__ import annotations

import math

import pytest

from autotts.report.beyond import ENVELOPE_LABEL, TABLE_ROWS, beyond_rows, envelope_points
from autotts.report.plots import ENVELOPE

STORES = ["Qwen3-4B/aime25", "Qwen3-4B/hmmt25"]


@pytest.fixture(scope="module")
def reproduced(tmp_path_factory, data_dir):
    from autotts.evaluation.reproduce import run_reproduce

    out = tmp_path_factory.mktemp("repro")
    outcome = run_reproduce(out, stores=STORES, seeds=2, data=data_dir, curves=True, workers=1)
    return out, outcome


def test_beyond_is_separate_and_table1_unchanged(reproduced):
    out, outcome = reproduced
    table1 = (out / "table1.md").read_text()
    assert "short-m@k" not in table1 and "envelope" not in table1
    assert "short-m@k" not in (out / "sweep.toml").read_text()
    assert (out / "beyond" / "sweep.toml").is_file()
    assert (out / "beyond" / "curves_held_out_beyond.png").stat().st_size > 0
    beyond = (out / "beyond" / "beyond.md").read_text()
    for name, _, _ in TABLE_ROWS:
        assert beyond.count(f"| {name} |") == 3      # two stores and their mean
    report = (out / "report.md").read_text()
    head, tail = report.split("## Beyond the paper (not part of Table 1)")
    assert "short-m@k" not in head.split("## Scaling curves")[0]
    assert "beyond/curves_held_out_beyond.png" in tail
    html = (out / "report.html").read_text()
    assert "Beyond the paper" in html and html.count('<figure><img alt=') == 3


def test_rows_state_the_gap_to_the_other_baselines(reproduced):
    out, outcome = reproduced
    rows = outcome.sweep.rows + _beyond_rows(out)
    table = beyond_rows(rows, STORES)
    assert {r.store for r in table} == set(STORES) | {"held-out mean (2 stores)"}
    for r in table:
        g = r.gap
        assert g.source != r.method.split(" ")[0]     # a family is never its own envelope
        if not math.isnan(g.envelope):
            assert g.estimate == pytest.approx(r.accuracy - g.envelope)
            assert g.lo <= g.hi


def test_envelope_never_falls_and_label_matches_the_plot(reproduced):
    out, outcome = reproduced
    pts = envelope_points(outcome.sweep.rows + _beyond_rows(out), STORES)
    assert all(b.accuracy >= a.accuracy - 1e-9 for a, b in zip(pts, pts[1:]))
    assert ENVELOPE_LABEL == ENVELOPE


def _beyond_rows(out):
    import json

    return [json.loads(line) for line in (out / "beyond" / "results.jsonl").read_text().splitlines()
            if line.strip()]
