"""The worker side of the judge's interference check: each episode alone.

:mod:`autotts.discovery.sandbox.worker` hands a job whose ``kind`` is
``"episodes"`` to :func:`run_episodes`. The job names one file of compact
gold-free questions (:mod:`autotts.discovery.sandbox.compact`), the cells'
settings and a list of episodes (cell, question of that file, seed). The
candidate is imported once here; then every episode runs in its own
``os.fork()``-ed grandchild (up to ``IN_FLIGHT`` at once, which hides the
fork and wake-up latency of a busy machine) that builds the controller,
plays that one episode exactly as the main run does (same shuffled order, same branch
ceiling, same :class:`RecordingEpisode`), sends answer and log over a pipe
and ``os._exit``-s. Fork gives every episode a pristine copy of this
process: nothing an earlier episode did (module globals, class attributes,
caches) can reach a later one. What comes back is only a claim: the parent
compares it (:mod:`autotts.discovery.sandbox.judge.interference`).
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import sys
import time
from pathlib import Path
from typing import Any

EPISODE_TIMEOUT_S = 30.0   # wall seconds one episode may take (honest ones take milliseconds)
RESULT_CAP = 1 << 20       # bytes one episode may send back
SCIPY_FLAG = "_scipy"      # in an episode's record: its process had imported scipy


def _play(store, target: str, params: dict, qi: int, seed: int, max_branches: int) -> dict:
    """In the grandchild: build the controller, play one episode; returns its record."""
    from autotts.controllers.spec import ControllerSpec
    from autotts.discovery.sandbox.recording import RecordingEpisode
    from autotts.evaluation.protocol import shuffled_order

    controller = ControllerSpec(file=target, params=dict(params)).build()
    q = store.questions[qi]
    ep = RecordingEpisode(q, shuffled_order(seed, q.n_branches), max_branches=max_branches)
    a = controller.solve(ep)
    if a is not None and type(a) is not str:
        return {"error": f"solve() returned {type(a).__name__}; expected str or None"}
    n, log = ep.log()
    return {"answer": a, "opened": n, "depths": [int(d) for d in log]}


def _guarded(play) -> dict:
    """``play()``'s record, or the error it raised as a record."""
    try:
        return play()
    except Exception as exc:  # noqa: BLE001 - the candidate's failure is a record
        return {"error": f"{type(exc).__name__}: {exc}"[:500]}


def _child(w: int, play) -> None:
    """The grandchild's whole life: play, write the record to ``w``, exit."""
    try:
        try:
            record = play()
        except BaseException as exc:  # noqa: BLE001 - the candidate's failure is a record
            record = {"error": f"{type(exc).__name__}: {exc}"[:500]}
        record[SCIPY_FLAG] = "scipy.special" in sys.modules  # see _adopt_scipy
        data = json.dumps(record).encode()
        view = memoryview(data)
        while view:
            view = view[os.write(w, view):]
    finally:
        os._exit(0)


IN_FLIGHT = 4   # episodes' processes alive at once: hides fork and wake-up latency


class _Running:
    """One episode's process: its pid, its pipe, what it sent so far, its deadline."""

    def __init__(self, k: int, pid: int, r: int, deadline: float):
        self.k, self.pid, self.r, self.deadline = k, pid, r, deadline
        self.buf, self.why = bytearray(), None


def _finish(run: _Running) -> dict:
    """Reap the episode's process; returns its record or ``{"error": ...}`` when
    it timed out, sent too much, died or sent garbage."""
    os.close(run.r)
    if run.why is not None:
        _kill(run.pid)
    _, status = os.waitpid(run.pid, 0)
    if run.why is not None:
        return {"error": run.why}
    try:
        record = json.loads(bytes(run.buf))
    except (ValueError, UnicodeDecodeError):
        record = None
    if not isinstance(record, dict):
        return {"error": f"the episode's process died without a record (status {status})"}
    return record


def _pump(running: dict[int, _Running], sel, timeout_s: float) -> list[_Running]:
    """Wait for output from the running episodes; returns those that are done
    (end of their pipe, a record too large, or past their deadline)."""
    now = time.monotonic()
    wait = max(0.0, min(r.deadline for r in running.values()) - now)
    done = []
    for key, _ in sel.select(timeout=min(wait, 1.0)):
        run = running[key.fd]
        chunk = os.read(run.r, 1 << 16)
        run.buf += chunk
        if len(run.buf) > RESULT_CAP:
            run.why = "the episode's record is too large"
        if not chunk or run.why:
            done.append(run)
    for run in running.values():
        if run not in done and time.monotonic() > run.deadline:
            run.why = f"the episode took longer than {timeout_s:g} s"
            done.append(run)
    return done


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _preimport(source: str, table) -> None:
    """Import, once before any fork, the trusted modules episodes import lazily
    (scipy costs ~0.3 s, which every forked process would pay again); nothing
    of the candidate runs here. The helpers' ``beta_confidence`` reads scipy's
    floats from ``table`` (sent by the parent) instead, so scipy is left out
    unless the candidate names it: it would make every fork dearer (its
    libraries double the worker's mappings)."""
    import importlib

    from autotts.controllers.voting import preset_confidences

    preset_confidences(table or [])
    mods = ["autotts.discovery.sandbox.recording", "autotts.evaluation.protocol"]
    if "scipy" in source or ("beta_confidence" in source and not table):
        mods.append("scipy.special")
    if "scipy" in source:
        mods.append("scipy.stats")
    for name in mods:
        importlib.import_module(name)


def _adopt_scipy(record: dict) -> dict:
    """``record`` without its scipy flag; when its process had to import scipy
    (a confidence past the table, weighted votes), import it here too, so the
    episodes forked from now on inherit it instead of each paying for it."""
    if record.pop(SCIPY_FLAG, False) and "scipy.special" not in sys.modules:
        import scipy.special  # noqa: F401 - imported for the forks to inherit

        gc.freeze()
    return record


def _detach(running: dict, sel, r: int) -> None:
    """In a new episode's process: close what it inherited of the worker's
    plumbing (the other episodes' pipes, the selector, the result pipe), so it
    can neither read another episode's record nor write the job's result."""
    for other in running:
        os.close(other)
    sel.close()
    os.close(r)
    if os.environ.get("AUTOTTS_RESULT_FD"):
        try:
            os.close(int(os.environ["AUTOTTS_RESULT_FD"]))
        except OSError:
            pass


def run_episodes(job: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Play every episode of ``job`` in its own forked process; returns
    ``{"episodes": [record, ...]}`` in the job's order."""
    from autotts.controllers.spec import load_class
    from autotts.discovery.sandbox.compact import compact_store

    cand = str(workdir / job["candidate"])
    _preimport(Path(cand).read_text(), job.get("beta_table"))
    store = compact_store(json.loads((workdir / job["store"]).read_text()), name="judge")
    target = f"{cand}:{job['class_name']}" if job.get("class_name") else cand
    load_class(target)  # import once, before any fork: every episode starts from this state
    from autotts.env.episode import branch_table

    for q in store.questions:  # the episode's table of each question, built once, shared
        branch_table(q)
    gc.freeze()  # forked processes then leave the inherited objects' pages unwritten by GC
    cells, max_b = job["cells"], int(job["max_branches"])
    timeout = float(job.get("episode_timeout_s", EPISODE_TIMEOUT_S))
    episodes = job["episodes"]
    if not job.get("fork", True):  # the twin jobs: see interference.py for why no fork
        return {"episodes": [_guarded(lambda: _play(store, target, cells[c], qi, seed, max_b))
                             for c, qi, seed in episodes]}
    return {"episodes": _fork_each(episodes, lambda c, qi, seed: _play(
        store, target, cells[c], qi, seed, max_b), timeout)}


def _fork_each(episodes: list, play, timeout: float) -> list[dict]:
    """``play(cell, question, seed)``'s record of every episode, each played in
    its own forked process (up to ``IN_FLIGHT`` at once), in ``episodes``' order."""
    out: list[dict] = [{}] * len(episodes)
    running: dict[int, _Running] = {}
    sel = selectors.DefaultSelector()
    nxt = 0
    while nxt < len(episodes) or running:
        while nxt < len(episodes) and len(running) < IN_FLIGHT:
            cell, qi, seed = episodes[nxt]
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                _detach(running, sel, r)
                _child(w, lambda: play(cell, qi, seed))
            os.close(w)
            running[r] = _Running(nxt, pid, r, time.monotonic() + timeout)
            sel.register(r, selectors.EVENT_READ)
            nxt += 1
        for run in _pump(running, sel, timeout):
            sel.unregister(run.r)
            del running[run.r]
            out[run.k] = _adopt_scipy(_finish(run))
    sel.close()
    return out
