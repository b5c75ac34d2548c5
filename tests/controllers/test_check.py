"""check_controller: built-ins pass; each broken rule is caught and named."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest

from autotts.controllers import make
from autotts.controllers.base import Controller
from autotts.controllers.check import ControllerCheckError, check_controller

STORE = "Qwen3-8B/aime24"


@pytest.fixture(scope="module")
def stores(real_store):
    return [real_store(STORE)]


@pytest.mark.parametrize("cid,params", [("cmc", {"beta": 0.5}), ("sc", {"n": 8}),
                                        ("parallel-probe", {})])
def test_builtin_controllers_pass(stores, cid, params):
    assert check_controller(make(cid, **params), stores, questions=5, seeds=2) == []


@dataclass(frozen=True)
class Peeks(Controller):
    def solve(self, ep):
        ep.open()
        return ep._finals[0]  # a private slot of the replay episode


@dataclass(frozen=True)
class Remembers(Controller):
    seen: list = field(default_factory=list)

    def solve(self, ep):
        self.seen.append(1)
        ids = ep.open_many(1 + len(self.seen) % 3)
        ep.advance(ids, 2)
        return ep.latest(ids[0])


@dataclass(frozen=True)
class Dice(Controller):
    def solve(self, ep):
        ids = ep.open_many(random.randint(1, 4))
        return ep.latest(ids[-1])


@dataclass(frozen=True)
class Shrinks(Controller):
    beta: float = 0.5

    def solve(self, ep):
        ids = ep.open_many(max(1, round(8 * (1 - self.beta))))
        ep.advance(ids, 3)
        return ep.latest(ids[0])


@pytest.mark.parametrize("controller,words", [
    (Peeks(), "uses more than the episode API"),
    (Remembers(), "keeps state between questions"),
    (Dice(), "not deterministic"),
    (Shrinks(), "beta contract: Qwen3-8B/aime24: tokens fall"),
])
def test_each_broken_rule_is_named(stores, controller, words):
    problems = check_controller(controller, stores, questions=5, seeds=2)
    assert any(words in p for p in problems), problems
    with pytest.raises(ControllerCheckError, match=words.split(":")[0]):
        check_controller(controller, stores, questions=5, seeds=2, strict=True)
