"""A preflight job before the first round: one tiny sandboxed evaluation with a
trivial controller on a two-question store built here. If it cannot run, the
machinery is broken (no interpreter inside the boundary, bwrap refused, ...),
and every round would be archived as a candidate failure; so the run stops
with one clear message instead."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import autotts
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
    key = (settings.isolation, settings.limits)
    if key in _PASSED:
        return 0.0
    clash = hidden_clash(settings)
    if clash:
        raise SandboxUnavailable(clash + " No round was started.")
    res = evaluate_candidate(PROBE, "Probe", [_store()], [{}], [0], settings)
    if res.error is None and res.cells and res.cells[0].tokens == 15.0:
        _PASSED.add(key)
        return res.wall_s
    job = res.jobs[0] if res.jobs else {}
    raise SandboxUnavailable(
        f"the sandbox cannot run a trivial job (isolation {settings.isolation.mode}): "
        f"{(res.error or 'wrong result').strip().splitlines()[0]}"
        + (f"; stderr: {job['stderr'].strip()[-300:]}" if job.get("stderr") else "")
        + ". No round was started. Check the interpreter and bubblewrap, or choose another "
          "[sandbox] isolation.")


def hidden_clash(settings: SandboxSettings) -> str | None:
    """Why no job can start when a folder bubblewrap must hide (stores, data, run
    directory) holds what every job runs (the interpreter, its environment, the
    autotts package): the mask over it would hide them too. None when fine."""
    if settings.isolation.mode != "bwrap":
        return None  # the weak modes hide nothing, so nothing is masked away
    exe = Path(sys.executable).absolute()
    needs = {"the Python interpreter": [exe.parent, Path(os.path.realpath(exe)).parent],
             "the Python environment (sys.prefix)": [Path(sys.prefix)],
             "the autotts package": [Path(autotts.__file__).resolve().parent]}
    for hidden in settings.hide:
        roots = {Path(os.path.abspath(hidden)), Path(os.path.realpath(hidden))}
        for what, paths in needs.items():
            for p in paths:
                if any(p == r or r in p.parents for r in roots):
                    return (f"the sandbox must hide {hidden} from candidates (it holds "
                            f"stores, the data or the run directory), but {what} lies in it "
                            f"({p}), and every job needs that: move the stores, data or run "
                            "directory out of it.")
    return None
