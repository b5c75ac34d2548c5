"""Without Plotly or Pygments: one clear line, no traceback, and report.md says why
there is no report.html."""

from __future__ import annotations

import json

from click.testing import CliRunner

from autotts.cli.main import cli
from autotts.viewer import deps
from autotts.viewer.export import page_note


def test_view_without_the_extra_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(deps, "missing", lambda: ["plotly"])
    (tmp_path / "run.json").write_text(json.dumps({"format": 1}))
    res = CliRunner().invoke(cli, ["view", str(tmp_path), "--port", "0"])
    assert res.exit_code == 1
    assert res.output.strip() == ("Error: the run viewer needs plotly: "
                                  "pip install 'autotts-scaling[viewer]'")


def test_report_note_without_the_extra(tmp_path, monkeypatch):
    monkeypatch.setattr(deps, "missing", lambda: ["plotly", "pygments"])
    assert page_note(tmp_path) == ("- interactive page: not written (the run viewer needs "
                                   "plotly and pygments: pip install 'autotts-scaling[viewer]')")
    assert not (tmp_path / "report.html").exists()
