"""The interactive curves of `reproduce table1`'s report.html, drawn in chromium."""

from __future__ import annotations

from autotts.report.curves import FAMILIES
from autotts.report.reproduce import write_reports
from tests.report.toydata import synthetic_rows

STORES = ["Qwen3-1.7B/aime25", "Qwen3-4B/hmmt25"]


def test_reproduce_report_has_interactive_curves(browser, page_errors, tmp_path):
    write_reports(tmp_path, synthetic_rows(STORES), STORES, seeds=3)
    page, errors = page_errors(browser)
    fetched: list[str] = []
    page.route("http*://**", lambda route: (fetched.append(route.request.url), route.abort()))
    page.goto((tmp_path / "report.html").as_uri())
    page.wait_for_selector("#reproduce-curves .main-svg")
    titles = page.evaluate("() => document.getElementById('reproduce-curves').layout"
                           ".annotations.map(a => a.text)")
    assert titles == ["held-out mean"] + STORES
    names = set(page.evaluate("() => document.getElementById('reproduce-curves').data"
                              ".map(t => t.name)"))
    assert {f.label for f in FAMILIES} | {"best-baseline envelope"} <= names
    xtype = page.evaluate("() => document.getElementById('reproduce-curves')._fullLayout"
                          ".xaxis.type")
    assert xtype == "log"
    page.screenshot(path=str(tmp_path / "reproduce.png"), full_page=True)
    assert errors == [] and fetched == []
