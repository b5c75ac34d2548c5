"""The viewer's optional libraries (Plotly, Pygments), imported only when a page is built."""

from __future__ import annotations

import importlib.util

from autotts import install_hint

EXTRA_HINT = install_hint("viewer")


class ViewerDependencyError(ImportError):
    """Plotly or Pygments is missing; the message is one line saying how to install them."""


def missing() -> list[str]:
    """Names of the viewer's libraries that are not installed."""
    return [m for m in ("plotly", "pygments") if importlib.util.find_spec(m) is None]


def require() -> None:
    """Raise :class:`ViewerDependencyError` when a library of the [viewer] extra is missing."""
    gone = missing()
    if gone:
        raise ViewerDependencyError(f"the run viewer needs {' and '.join(gone)}: {EXTRA_HINT}")


def plotly_js() -> str:
    """The plotly.js bundle shipped inside the ``plotly`` package (inlined: no network)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
