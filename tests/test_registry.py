"""The one registry mechanism: a name, a lazy "module:attr" target, an error
listing the known names; used by the controllers and the proposers."""

from __future__ import annotations

import sys

import pytest

from autotts.controllers import CONTROLLERS
from autotts.discovery.proposers import PROPOSERS, ProposerError, make_proposer
from autotts.registry import Registry


def test_lookup_imports_only_on_demand():
    reg = Registry("thing", {"path": "os.path:join", "lazy": "autotts_no_such_module:x"})
    assert reg.names() == ["lazy", "path"]
    assert "lazy" in reg and list(reg) == ["lazy", "path"]
    assert reg.load("path") is sys.modules["os.path"].join
    with pytest.raises(ImportError):
        reg.load("lazy")  # only now, when asked for


def test_an_unknown_name_lists_the_known_ones():
    reg = Registry("thing", {"b": "os:sep", "a": "os:sep"}, error=LookupError)
    with pytest.raises(LookupError, match=r"unknown thing 'c'; known: a, b"):
        reg.load("c")


def test_add_registers_a_name_once():
    reg = Registry("thing", {"a": "os:sep"})
    reg.add("b", "os:pathsep")
    reg.add("b", "os:pathsep")  # the same again is no conflict
    assert reg.load("b") == sys.modules["os"].pathsep
    with pytest.raises(ValueError, match="already registered"):
        reg.add("a", "os:pathsep")


def test_a_malformed_target_is_refused_when_the_table_is_built():
    with pytest.raises(ValueError, match="not 'module:attr'"):
        Registry("thing", {"x": "os.sep"})


def test_every_controller_class_carries_its_registry_id():
    for cid, cls in CONTROLLERS.load_all().items():
        assert cls.name == cid


def test_every_proposer_target_names_a_class_in_its_module():
    # the optional SDKs are imported when a backend is built, not when it is looked up
    for name in PROPOSERS:
        assert isinstance(PROPOSERS.load(name), type), PROPOSERS.target(name)


def test_an_unknown_proposer_is_one_message_listing_the_known_ones():
    with pytest.raises(ProposerError, match="unknown proposer 'nope'; known: claude-sdk, command"):
        make_proposer("nope")
