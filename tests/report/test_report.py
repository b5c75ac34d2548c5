"""The report pages and table1.md show exactly the numbers of table1.csv."""

from __future__ import annotations

import csv
import re
from html.parser import HTMLParser

import pytest

from autotts.report.reproduce import write_reports
from autotts.report.tables import TABLE_COLUMNS
from tests.report.toydata import synthetic_rows

STORES = ["Qwen3-1.7B/aime25", "Qwen3-4B/hmmt25", "Qwen3-4B/aime24"]


def _md_tables(text: str) -> list[list[dict]]:
    """Every Markdown table in ``text`` whose header is TABLE_COLUMNS, as dict rows."""
    tables, current = [], None
    for line in text.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells == list(TABLE_COLUMNS):
            current = []
            tables.append(current)
        elif current is not None and not set(line) <= set("|-: "):
            current.append(dict(zip(TABLE_COLUMNS, cells)))
    return tables


class _HtmlTables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._in_td = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag == "td":
            self._in_td = True
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self._in_td = False
        elif tag == "tr" and self._row:
            self.rows.append(dict(zip(TABLE_COLUMNS, self._row)))

    def handle_data(self, data):
        if self._in_td:
            self._row[-1] += data


def _f(value: str, digits: int, sign: str = "") -> str:
    """A CSV number formatted as the report prints it."""
    return f"{round(float(value), digits) + 0.0:{sign}.{digits}f}"  # no "-0.00"


def _check_against_csv(shown: list[dict], csv_rows: list[dict]) -> None:
    """Every displayed number is the CSV's number at the displayed precision."""
    assert len(shown) == len(csv_rows)
    for s, c in zip(shown, csv_rows):
        assert (s["store"], s["method"]) == (c["store"], c["method"])
        assert s["accuracy %"] == _f(c["accuracy"], 2)
        assert s["tokens (k)"] == _f(c["tokens_k"], 1)
        assert s["95% CI"] == f"{_f(c['ci95_low'], 1)}–{_f(c['ci95_high'], 1)}"
        mark = " †" if c["target_source"] == "released code" else ""
        assert s["target acc"] == _f(c["target_accuracy"], 1) + mark
        assert s["target tok (k)"] == _f(c["target_tokens_k"], 1) + mark
        assert s["Δ acc"] == _f(c["diff_accuracy"], 2, "+")
        assert s["Δ tok (k)"] == _f(c["diff_tokens_k"], 1, "+")
        assert s["paper printed"] == (f"{_f(c['paper_accuracy'], 1)} / "
                                      f"{_f(c['paper_tokens_k'], 1)}k")
        assert s["match"] == {"True": "✓", "False": "✗"}[c["match"]]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    write_reports(out, synthetic_rows(STORES), STORES, seeds=100, meta={"git commit": "abc"})
    return out


def _csv(out) -> list[dict]:
    with open(out / "table1.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_table1_md_equals_csv(report_dir):
    rows = _csv(report_dir)
    assert len(rows) == 6 * len(STORES) + 6  # cells, then the held-out means
    means, every = _md_tables((report_dir / "table1.md").read_text())
    _check_against_csv(every + means, rows)
    assert means[0]["store"] == "held-out mean (2 stores)"


def test_report_md_equals_csv_and_links_pngs(report_dir):
    text = (report_dir / "report.md").read_text()
    means, every = _md_tables(text)
    _check_against_csv(every + means, _csv(report_dir))
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == ["curves_held_out.png", "curves_stores.png"]
    assert all((report_dir / link).stat().st_size > 0 for link in links)
    assert "git commit: abc" in text


def test_report_html_equals_csv_and_is_self_contained(report_dir):
    text = (report_dir / "report.html").read_text()
    parser = _HtmlTables()
    parser.feed(text)
    n_means = 6
    shown = parser.rows[n_means:] + parser.rows[:n_means]
    _check_against_csv(shown, _csv(report_dir))
    assert text.count('<figure><img alt=') == 2  # (plotly.js itself holds such a string)
    assert text.count('src="data:image/png;base64,') >= 2
    assert 'id="reproduce-curves"' in text  # the interactive curves (autotts.viewer.reproduce)
    assert "curves_stores.png" not in text  # embedded, not linked


def test_no_curves_means_no_figures(tmp_path):
    stores = ["Qwen3-8B/aime24"]
    outcome = write_reports(tmp_path, synthetic_rows(stores), stores, seeds=3, curves=False)
    assert not list(tmp_path.glob("*.png"))
    assert "Scaling curves" not in (tmp_path / "report.md").read_text()
    assert set(outcome.files) == {"table1.md", "table1.csv", "report.md", "report.html"}
