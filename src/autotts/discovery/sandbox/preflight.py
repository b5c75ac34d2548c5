"""A preflight job before the first round: one tiny sandboxed evaluation with a
trivial controller on a two-question store built here. If it cannot run, the
machinery is broken (no interpreter inside the boundary, bwrap refused, ...),
and every round would be archived as a candidate failure; so the run stops
with one clear message instead."""

from __future__ import annotations

from dataclasses import replace

from autotts.discovery.sandbox.evaluate import SandboxSettings, evaluate_candidate
from autotts.env.store import store_from_records

PROBE = ("from autotts.controllers.base import Controller\n"
         "class Probe(Controller):\n"
         "    def solve(self, ep):\n"
         "        return ep.read_full()\n")


class SandboxUnavailable(RuntimeError):
    """No sandboxed job can start on this machine with these settings."""


def _store():
    records = [{"question": "", "gold_answer": "1", "probe_freq": 10,
                "each_branch": [[["1"], 15, "1"], [["2"], 12, "2"]]} for _ in range(2)]
    return store_from_records(records, "preflight")


_PASSED: set[tuple] = set()


def preflight(settings: SandboxSettings) -> float:
    """Run the preflight job (once per process and settings); returns its wall
    time (0 when it already passed), raises SandboxUnavailable."""
    key = (settings.isolation, settings.limits, settings.hide)
    if key in _PASSED:
        return 0.0
    res = _run(settings)
    if _ok(res):
        _PASSED.add(key)
        return res.wall_s
    job = res.jobs[0] if res.jobs else {}
    if settings.hide and _ok(_run(replace(settings, hide=()))):  # a diagnosis, not cached
        raise SandboxUnavailable(
            "a sandboxed job starts, but not with these folders hidden from it: "
            f"{', '.join(str(h) for h in settings.hide)}; one of them holds what every job "
            "needs (the autotts package, a site directory), so its mask hides that too. Move "
            "the stores, data or run directory out of it. No round was started.")
    raise SandboxUnavailable(
        f"the sandbox cannot run a trivial job (isolation {settings.isolation.mode}): "
        f"{(res.error or 'wrong result').strip().splitlines()[0]}"
        + (f"; stderr: {job['stderr'].strip()[-300:]}" if job.get("stderr") else "")
        + ". No round was started. Check the interpreter and bubblewrap, or choose another "
          "[sandbox] isolation.")


def _run(settings: SandboxSettings):
    return evaluate_candidate(PROBE, "Probe", [_store()], [{}], [0], settings)


def _ok(res) -> bool:
    return res.error is None and bool(res.cells) and res.cells[0].tokens == 15.0

