"""The static validator's known bypasses are closed (it stays a fast first
filter; the runtime tests in this folder do not rely on it)."""

from __future__ import annotations

import re

import pytest

from autotts.discovery.sandbox.static_check import ValidationError, validate_source

TEMPLATE = ("from autotts.controllers.base import Controller\n{imports}\n"
            "class H(Controller):\n    def solve(self, ep):\n        {body}\n        return None\n")

BYPASSES = {
    "module through an allowed one": ("import dataclasses", "x = dataclasses.sys"),
    "import from an allowed one": ("from dataclasses import inspect", "x = 1"),
    "typing re-export": ("import typing", "x = typing.sys"),
    "numpy submodule": ("import numpy as np", "x = np.lib"),
    "numpy file entry": ("import numpy as np", "x = np.load"),
    "episode module re-export": ("import autotts.env.episode as E", "x = E.lru_cache.cache_info"),
    "computed getattr": ("", "getattr(ep, '_ta' + 'ble')"),
    "aliased getattr": ("", "g = getattr\n        g(ep, 'x')"),
    "setattr on an import": ("from autotts.env.episode import Episode",
                             "setattr(Episode, 'cost', 1)"),
    "monkeypatch a property": ("from autotts.env.episode import Episode",
                               "Episode.cost = property(lambda s: 1)"),
    "monkeypatch a helper": ("from autotts.controllers import voting", "x = 1"),
    "type()": ("", "t = type(ep)"),
    "vars()": ("", "v = vars(ep)"),
    "globals()": ("", "g = globals()"),
    "frames": ("", "f = (lambda: 0).__code__"),
    "generator frame": ("", "g = (x for x in []).gi_frame.f_back"),
    "object.__setattr__": ("", "object.__setattr__(ep, '_limit', 9)"),
}
# Private names built at run time and resolved by code the source does not show.
RUNTIME_NAMES = {
    "format on a built template": ("", "t = ('{0.' + '_' + 'table}').format(ep)"),
    "format_map on a built template": ("", "t = ('{e.' + chr(95) + 'x}').format_map({'e': ep})"),
    "str.format": ("", "t = str.format('{0.' + chr(95) + 'x}', ep)"),
    "format fetched by getattr": ("", "f = getattr('', 'format')"),
    "np.vectorize": ("import numpy as np", "f = np.vectorize(len)"),
    "np.frompyfunc": ("import numpy as np", "f = np.frompyfunc(len, 1, 1)"),
    "np.apply_along_axis": ("import numpy as np", "f = np.apply_along_axis(len, 0, [[1]])"),
    "np.piecewise": ("import numpy as np", "f = np.piecewise([1], [True], [len])"),
    "from numpy import vectorize": ("from numpy import vectorize", "x = 1"),
}


@pytest.mark.parametrize("name", sorted(RUNTIME_NAMES))
def test_run_time_name_building_is_refused_with_a_clear_message(name):
    imports, body = RUNTIME_NAMES[name]
    want = ("numpy calling a Python callable" if "numpy" in name or "np." in name
            else "getattr(..., 'format')" if "getattr" in name else "plain string literal")
    with pytest.raises(ValidationError, match=re.escape(want)):
        validate_source(TEMPLATE.format(imports=imports, body=body))


def test_format_on_a_plain_literal_still_passes():
    src = TEMPLATE.format(imports="", body="t = '{:.2f} {}'.format(1.0, ep.n_opened)")
    assert validate_source(src).class_name == "H"


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_bypass_is_refused(name):
    imports, body = BYPASSES[name]
    with pytest.raises(ValidationError):
        validate_source(TEMPLATE.format(imports=imports, body=body))


def test_ordinary_numpy_and_helpers_still_pass():
    src = TEMPLATE.format(imports="import numpy as np\nfrom autotts.controllers.voting import "
                          "majority", body="x = np.random.default_rng(0).random() + "
                          "np.mean([1.0])\n        y = majority(['a'])")
    assert validate_source(src).class_name == "H"
