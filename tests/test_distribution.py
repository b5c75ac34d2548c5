"""The distribution name in pyproject.toml, the one the install hints print and
the self-reference of the test extra are one name."""

from __future__ import annotations

import tomllib
from pathlib import Path

import autotts

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def project() -> dict:
    return tomllib.loads(PYPROJECT.read_text())["project"]


def test_hints_name_the_distribution():
    assert project()["name"] == autotts.DISTRIBUTION == "autotts-scaling"
    assert autotts.install_hint("viewer") == "pip install 'autotts-scaling[viewer]'"


def test_test_extra_refers_to_this_distribution():
    own = [r for r in project()["optional-dependencies"]["test"] if r.startswith("autotts")]
    assert own == ["autotts-scaling[plot,viewer,live,hf,fast,ray]"]


def test_command_and_import_name_stay_autotts():
    # the other `autotts` on the index installs `AutoTTS` and `easytts`: no clash
    assert project()["scripts"] == {"autotts": "autotts.cli.main:main"}
    assert Path(autotts.__file__).parent.name == "autotts"
