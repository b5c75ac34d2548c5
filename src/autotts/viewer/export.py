"""``RUN/report.html``: the run page written as one self-contained file."""

from __future__ import annotations

from pathlib import Path

from autotts.fileio import write_atomic
from autotts.viewer.deps import ViewerDependencyError, require


def write_run_page(run_dir: str | Path) -> Path:
    """Write RUN/report.html (the page ``autotts view`` serves, without polling);
    returns its path. Raises ViewerDependencyError without the [viewer] extra."""
    require()
    from autotts.viewer.page import build_page
    from autotts.viewer.rundata import load_run, run_version

    run_dir = Path(run_dir)
    html = build_page(load_run(run_dir), version=run_version(run_dir))
    return write_atomic(run_dir / "report.html", html)


def page_note(run_dir: str | Path) -> str:
    """Write the page and return the report.md line that points to it (or says why not)."""
    try:
        write_run_page(run_dir)
    except ViewerDependencyError as exc:
        return f"- interactive page: not written ({exc})"
    return ("- interactive page: [report.html](report.html) (curves, every round's source, "
            "diff, contract check and traces; `autotts view RUN` follows a running run)")
