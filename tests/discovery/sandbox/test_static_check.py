"""Static validation: what passes (our API, the authors' API) and what is refused."""

from __future__ import annotations

import pytest

from autotts.discovery.sandbox.static_check import ValidationError, validate_source
from tests.discovery.conftest import candidate


def test_our_api_candidate_passes():
    v = validate_source(candidate("momentum.py"))
    assert (v.class_name, v.api) == ("Momentum", "episode")


def test_authors_api_file_with_several_classes_picks_optimal_controller():
    v = validate_source(candidate("legacy_width.py"))
    assert (v.class_name, v.api) == ("OptimalController", "question")


def test_authors_idioms_pass():
    src = '''
from abc import ABC, abstractmethod
from typing import Any, Dict, Optional
class Base(ABC):
    def __init__(self, config: Optional[Dict[str, Any]] = None):
        self.config = config or {}
    def __call__(self, q):
        return self.solve(q)
    @abstractmethod
    def solve(self, q): ...
class Mine(Base):
    def __init__(self, config=None):
        super().__init__(config)
        self._trace = []
    def solve(self, q):
        self._trace.append(1)
        return getattr(self, "config", {}).get("x")
'''
    assert validate_source(src).class_name == "Mine"


def test_configured_class_name_and_ambiguity():
    two = ("class A:\n    def solve(self, e): return None\n"
           "class B:\n    def solve(self, e): return None\n")
    with pytest.raises(ValidationError, match="exactly one controller class"):
        validate_source(two)
    assert validate_source(two, class_name="B").class_name == "B"
    with pytest.raises(ValidationError, match="no class named 'C'"):
        validate_source(two, class_name="C")


def test_settings_literal_is_read_without_running_code():
    src = "class A:\n    SETTINGS = [{'w': 2}, {'w': 8}]\n    def solve(self, e): return None\n"
    assert validate_source(src).settings == ({"w": 2}, {"w": 8})


HOSTILE = {
    "import os": "import os\nclass A:\n    def solve(self, e): return None\n",
    "import gc": "import gc\nclass A:\n    def solve(self, e): return gc.get_objects()\n",
    "socket": "from socket import socket\nclass A:\n    def solve(self, e): return None\n",
    "open": "class A:\n    def solve(self, e): return open('/etc/passwd').read()\n",
    "eval": "class A:\n    def solve(self, e): return eval('1')\n",
    "__import__": "class A:\n    def solve(self, e): return __import__('os')\n",
    "private": "class A:\n    def solve(self, e): return e._table\n",
    "mangled gold": "class A:\n    def solve(self, q): return q._Question__gold_answer\n",
    "dunder": "class A:\n    def solve(self, e): return e.__class__.__mro__\n",
    "getattr string": ("class A:\n    def solve(self, e):\n        n = '_ta' + 'ble'\n"
                       "        return getattr(e, n)\n"),
    "getattr private": "class A:\n    def solve(self, e): return getattr(e, '_cost')\n",
    "format field": "class A:\n    def solve(self, e): return '{0._table}'.format(e)\n",
    "numpy file": "import numpy as np\nclass A:\n    def solve(self, e): return np.load('x.npy')\n",
    "relative import": "from . import x\nclass A:\n    def solve(self, e): return None\n",
    "syntax": "class A(:\n",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_constructs_are_refused(name):
    with pytest.raises(ValidationError):
        validate_source(HOSTILE[name])


def test_error_names_the_line():
    with pytest.raises(ValidationError, match="line 3"):
        validate_source("class A:\n    def solve(self, e):\n        return e._table\n")
