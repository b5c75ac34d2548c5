"""Hostile candidates against the runtime sandbox (static validation bypassed on
purpose: these tests prove the second line of defence holds on its own)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from autotts.discovery.sandbox.evaluate import (
    SandboxSettings,
    evaluate_candidate,
    gold_free_records,
)
from autotts.discovery.sandbox.process import Limits, detect_isolation
from autotts.env.store import load_store
from autotts.evaluation.protocol import evaluate

ISO = detect_isolation("auto")
SEEDS = [0, 1, 2]


@pytest.fixture(scope="module")
def store(synth_data):
    return load_store(synth_data / "ModelA" / "aime24.json", name="ModelA/aime24")


def run(source: str, store, synth_data, *, wall_s: float = 30, memory_mb: int = 2048,
        hide=(), iso=None) -> object:
    sb = SandboxSettings(Limits(cpu_s=wall_s, memory_mb=memory_mb, output_bytes=4096), iso or ISO,
                         hide=(synth_data, *hide), workers=1)
    return evaluate_candidate(source, None, [store], [{}], SEEDS, sb)


def controller(body: str, imports: str = "") -> str:
    lines = "\n".join("        " + ln for ln in body.strip().splitlines())
    return (f"{imports}\nfrom autotts.controllers.base import Controller\n"
            f"class Hostile(Controller):\n    def solve(self, ep):\n{lines}\n")


def test_gold_free_copy_holds_no_gold(store):
    records = gold_free_records(store)
    golds = {q.gold for q in store.questions}
    assert all(r["gold_answer"] == "" and r["question"] == "" for r in records)
    assert not any(g in str(r["gold_answer"]) for r in records for g in golds)


# "none": the fallback without OS isolation must still kill and clean up.
MODES = ["auto", "unshare", "none"]


@pytest.mark.parametrize("mode", MODES)
def test_endless_loop_is_killed(store, synth_data, mode):
    res = run(controller("while True:\n    pass"), store, synth_data, wall_s=3,
              iso=detect_isolation(mode))
    assert res.cells is None and "CPU-time limit" in res.error
    assert not res.jobs[0]["timed_out"] and not res.jobs[0]["machinery"]


@pytest.mark.parametrize("mode", MODES)
def test_sleeping_forever_hits_the_wall_backstop_and_is_retried_once(store, synth_data, mode):
    sb = SandboxSettings(Limits(cpu_s=5, wall_s=2, output_bytes=4096), detect_isolation(mode),
                         workers=1)
    res = evaluate_candidate(controller("time.sleep(1000)", "import time"), None, [store], [{}],
                             SEEDS, sb)
    assert res.cells is None and "wall-time backstop" in res.error
    assert res.jobs[0]["timed_out"] and res.jobs[0]["retried"]


def test_memory_bomb_is_contained(store, synth_data):
    res = run(controller("x = bytearray(6 * 1024 ** 3)\nreturn None"), store, synth_data,
              memory_mb=1024)
    assert res.cells is None and "MemoryError" in res.error


def test_raising_is_recorded(store, synth_data):
    res = run(controller("raise RuntimeError('boom from candidate')"), store, synth_data)
    assert res.cells is None and "boom from candidate" in res.error


def test_os_exit_is_recorded(store, synth_data):
    res = run(controller("os._exit(3)", "import os"), store, synth_data)
    assert res.cells is None and "exited with code 3" in res.error


@pytest.mark.parametrize("value", ["42", "['a']",
                                   "type('Eq', (), {'__eq__': lambda s, o: True})()"])
def test_wrong_return_types_are_refused(store, synth_data, value):
    res = run(controller(f"ep.open()\nreturn {value}"), store, synth_data)
    assert res.cells is None and "expected str or None" in res.error


def test_megabytes_of_output_are_capped(store, synth_data):
    res = run(controller("print('x' * 2_000_000)\nreturn ep.read_full()"), store, synth_data)
    assert res.error is None and res.cells  # the evaluation itself goes on
    job = res.jobs[0]
    assert len(job["printed"]) <= 4096 and job["printed_dropped"] > 1_000_000


def _sleepers(tag: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if tag in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.mark.parametrize("mode", MODES)
def test_leftover_processes_are_killed(store, synth_data, mode):
    tag = "987654"
    body = f"subprocess.Popen(['sleep', '{tag}'])\nreturn ep.read_full()"
    res = run(controller(body, "import subprocess"), store, synth_data, iso=detect_isolation(mode))
    assert res.error is None
    assert _sleepers(tag) == []


def test_loopback_connection(store, synth_data):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    body = (f"try:\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
            "    print('CONNECTED')\nexcept OSError as exc:\n    print('REFUSED', exc)\n"
            "return ep.read_full()")
    res = run(controller(body, "import socket"), store, synth_data)
    stop.set()
    t.join()
    server.close()
    assert res.error is None
    if ISO.network_cut:
        assert accepted == [] and "CONNECTED" not in res.jobs[0]["printed"]
    else:  # recorded as not enforced
        assert res.jobs[0]["isolation"]["network_cut"] is False


def test_reading_store_files(store, synth_data):
    target = synth_data / "ModelA" / "aime25.json"
    body = (f"try:\n    print('READ', len(open({str(target)!r}).read()))\n"
            "except OSError as exc:\n    print('DENIED', exc)\nreturn ep.read_full()")
    res = run(controller(body), store, synth_data)
    assert res.error is None
    if ISO.filesystem_hidden:
        assert "READ" not in res.jobs[0]["printed"] and "DENIED" in res.jobs[0]["printed"]
    else:
        assert res.jobs[0]["isolation"]["filesystem_hidden"] is False


CACHE_PROBE = """
print("ENV", os.environ.get("AUTOTTS_STORE_CACHE"))
for path in {paths!r}:
    try:
        print("LISTED", path, sorted(os.listdir(path)))
    except OSError as exc:
        print("NOLIST", path, type(exc).__name__)
    try:
        with open(path, "rb") as fh:
            print("READ", path, len(fh.read()))
    except OSError as exc:
        print("NOREAD", path, type(exc).__name__)
return ep.read_full()
"""


@pytest.mark.parametrize("where", ["user_cache", "inside_a_bound_folder"])
@pytest.mark.parametrize("mode", MODES)
def test_the_compiled_store_cache_is_out_of_reach(synth_data, tmp_path, monkeypatch, mode,
                                                  where):
    # the cache holds every gold answer; placed inside a folder the job binds
    # (a site directory on sys.path), it must be masked, not exposed
    if where == "user_cache":
        root = tmp_path / "home" / ".cache" / "autotts" / "stores"
    else:
        monkeypatch.syspath_prepend(str(tmp_path / "site"))
        root = tmp_path / "site" / "autotts-stores"
    monkeypatch.setenv("AUTOTTS_STORE_CACHE", str(root))
    warm = load_store(synth_data / "ModelA" / "aime24.json", name="ModelA/aime24")
    (entry,) = root.rglob("*.npz")
    assert warm.questions[0].gold in entry.read_bytes().decode("latin-1")  # gold is in there
    paths = [str(root), str(entry.parent), str(entry)]
    res = run(controller(CACHE_PROBE.format(paths=paths), "import os"), warm, synth_data,
              iso=detect_isolation(mode))
    assert res.error is None, res.error
    printed = res.jobs[0]["printed"]
    assert sorted(root.rglob("*.npz")) == [entry]  # the worker wrote no entry of its own
    assert "ENV off" in printed  # nor would it anywhere else (worker.run: cache=False too)
    if res.jobs[0]["isolation"]["filesystem_hidden"]:
        lines = printed.splitlines()
        assert not [ln for ln in lines if ln.startswith("READ")], printed
        listed = [ln for ln in lines if ln.startswith("LISTED")]
        assert all(ln.endswith(" []") for ln in listed), listed  # at most an empty mask
        assert {ln.split()[1] for ln in lines if ln.startswith("NOREAD ")} >= set(paths)
    else:  # recorded as a weak mode: the host file system is not hidden
        assert mode != "auto" or ISO.mode != "bwrap"
        assert res.jobs[0]["isolation"]["warning"]


def test_tampering_with_run_files(store, synth_data, tmp_path):
    victim = tmp_path / "rounds" / "r0001" / "candidate.py"
    victim.parent.mkdir(parents=True)
    victim.write_text("original\n")
    body = (f"try:\n    open({str(victim)!r}, 'w').write('tampered')\nexcept OSError:\n    pass\n"
            "return ep.read_full()")
    res = run(controller(body), store, synth_data, hide=(tmp_path,))
    assert res.error is None
    if ISO.filesystem_hidden:
        assert victim.read_text() == "original\n"


HUNTER = '''
import gc
from autotts.controllers.base import Controller

class Hunter(Controller):
    """Looks for the gold answer of the current question anywhere in memory."""

    def solve(self, ep):
        tokens = list(ep._table[3])
        for obj in gc.get_objects():
            if type(obj).__name__ == "CompiledQuestion" and obj.tokens.tolist() == tokens:
                if obj.gold:
                    return obj.gold
            if isinstance(obj, dict) and obj.get("gold_answer"):
                branches = obj.get("each_branch") or []
                if [b[1] for b in branches] == tokens:
                    return obj["gold_answer"]
        return ep.read_full()
'''


class FirstRead:
    name = "first-read"

    def solve(self, ep):
        return ep.read_full()


def test_gold_hunter_scores_no_better_than_chance(store, synth_data, tmp_path):
    # Positive control: in the same process as the store, the hunter finds every gold answer.
    path = tmp_path / "hunter.py"
    path.write_text(HUNTER)
    from autotts.controllers.spec import ControllerSpec
    inproc = evaluate(store, ControllerSpec(file=f"{path}:Hunter").build(), seeds=SEEDS)
    assert inproc.accuracy == 100.0
    # In the sandbox there is no gold to find: it scores exactly like its blind fallback.
    res = run(HUNTER, store, synth_data)
    assert res.error is None
    blind = evaluate(store, FirstRead(), seeds=SEEDS)
    assert res.cells[0].seed_accuracy == blind.seed_accuracy
    assert res.cells[0].accuracy < 100.0
