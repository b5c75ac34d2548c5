"""report.html of a small real run, opened in headless chromium as a person would:
no script error, a click on a round row or on a curve point shows that round's
source, held-out numbers only in the last section."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.viewer.smallrun import HELD_OUT, ROUND_FILES, new_run, propose

# Pixel position of round N's point (in the mean panel) farthest from every other
# round's point, so the click cannot land on another round.
POINT_JS = """
n => {
  const gd = document.getElementById('search-curves');
  const fl = gd._fullLayout, box = gd.getBoundingClientRect();
  const pos = (t, i) => {
    const xa = fl[t.xaxis.replace('x', 'xaxis')], ya = fl[t.yaxis.replace('y', 'yaxis')];
    return [box.left + xa._offset + xa.l2p(xa.c2l(t.x[i])),
            box.top + ya._offset + ya.l2p(ya.c2l(t.y[i]))];
  };
  const rounds = gd._fullData.filter(t => t.customdata && t.xaxis === 'x');
  const mine = rounds.filter(t => t.customdata[0] === n)[0];
  const others = rounds.filter(t => t !== mine).flatMap(t => t.x.map((_, i) => pos(t, i)));
  let best = null, far = -1;
  mine.x.forEach((_, i) => {
    const p = pos(mine, i);
    const d = Math.min(...others.map(o => Math.hypot(o[0] - p[0], o[1] - p[1])), 1e9);
    if (d > far) { far = d; best = p; }
  });
  return best;
}
"""


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "autotts.cli.main", *args], capture_output=True,
                          text=True, timeout=600, env=env, check=False)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, data_dir) -> Path:
    """Two rounds proposed by hand, then `autotts discover report RUN`."""
    run_dir = tmp_path_factory.mktemp("viewer") / "run"
    new_run(run_dir, data_dir)
    for name in ROUND_FILES:
        st = propose(run_dir, name)
        assert st["status"] == "ok", st.get("error")
    res = cli("discover", "report", str(run_dir))
    assert res.returncode == 0, res.stderr
    return run_dir


def test_report_html_in_chromium(finished_run, browser, page_errors, tmp_path):
    html = finished_run / "report.html"
    assert "report.html" in (finished_run / "report.md").read_text()
    page, errors = page_errors(browser)
    fetched: list[str] = []  # the page must need no network at view time
    page.route("http*://**", lambda route: (fetched.append(route.request.url), route.abort()))
    page.goto(html.as_uri())
    page.wait_for_selector("#search-curves .main-svg")
    assert page.locator(".round-panel:visible").count() == 0
    # a round row opens that round: its source, diff, contract check and traces
    page.click('tr.round-row[data-round="2"]')
    panel = page.locator("#panel-2")
    assert panel.is_visible() and page.locator("#panel-1").is_hidden()
    assert "class GreedyWidth" in panel.locator(".source").inner_text()
    assert "Diff against r0001" in panel.inner_text() and "Holds" in panel.inner_text()
    assert panel.locator("details.trace").count() > 0
    # a point on round 1's curve opens round 1
    page.locator("#search-curves").scroll_into_view_if_needed()
    x, y = page.evaluate(POINT_JS, 1)
    page.mouse.move(x, y)
    page.mouse.click(x, y)
    page.wait_for_selector("#panel-1", state="visible", timeout=5000)
    assert page.locator("#panel-2").is_hidden()
    assert "class Momentum" in page.locator("#panel-1 .source").inner_text()
    assert page.url.endswith("#r1")
    # held-out numbers only after selection, in the last section
    before_final = page.evaluate("""() => { const f = document.getElementById('final');
        return [...document.body.children].filter(e => e.compareDocumentPosition(f) & 4)
               .map(e => e.innerText).join(' '); }""")
    assert HELD_OUT[0] not in before_final and "held-out" not in before_final.lower()
    assert page.locator("#final #heldout-curves .main-svg").count() > 0  # drawn
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    print(f"screenshot: {tmp_path / 'report.png'}")
    assert errors == [] and fetched == []
