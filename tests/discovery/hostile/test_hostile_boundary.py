"""The OS boundary and the parent's I/O against hostile candidates, in every
isolation mode this machine offers. What a mode does not promise is asserted
as recorded (the isolation record says so), never silently skipped."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from .conftest import controller, evaluate

TRY_READ = """
for path in {paths!r}:
    try:
        with open(path) as fh:
            print("READ", path, len(fh.read()))
    except OSError as exc:
        print("DENIED", path, type(exc).__name__)
"""


def _printed(res) -> str:
    return "\n".join(j["printed"] for j in res.jobs)  # one job's capped text may end mid-line


def test_capability_escape_unmount_remount_and_write(store, mode, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("original\n")
    body = f"""
import subprocess, ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("umount", libc.umount2(b"/tmp", 2), ctypes.get_errno())
print("remount", libc.mount(None, b"/", None, 32 | 4096, None), ctypes.get_errno())
for cmd in (["mount", "-o", "remount,rw", "/"], ["umount", "-l", "/tmp"]):
    try:
        print(cmd, subprocess.run(cmd, capture_output=True).returncode)
    except OSError as exc:
        print(cmd, "not runnable", exc)
try:
    open({str(victim)!r}, "w").write("tampered")
    print("WROTE")
except OSError as exc:
    print("REFUSED", exc)
return ep.read_full()
"""
    res = evaluate(controller(body), store, mode)
    assert res.error is None, res.error
    iso = res.jobs[0]["isolation"]
    if mode == "bwrap":
        assert iso["capabilities_dropped"] and iso["filesystem_hidden"]
        assert victim.read_text() == "original\n" and "WROTE" not in _printed(res)
    else:  # recorded as a weak mode: the host file system is not protected
        assert not iso["filesystem_hidden"] and iso["warning"]


def test_other_data_copies_user_cache_and_other_runs_are_not_there(store, mode, tmp_path,
                                                                   synth_data):
    copy = tmp_path / "second-data" / "ModelA" / "aime24.json"
    copy.parent.mkdir(parents=True)
    copy.write_text((synth_data / "ModelA" / "aime24.json").read_text())
    cache = tmp_path / "home" / ".cache" / "autotts" / "replay" / "M" / "aime25.json"
    cache.parent.mkdir(parents=True)
    cache.write_text("[]")
    other_run = tmp_path / "runs" / "r1" / "rounds" / "r0001" / "state.json"
    other_run.parent.mkdir(parents=True)
    other_run.write_text("{}")
    paths = [str(copy), str(cache), str(other_run), str(synth_data / "ModelA" / "aime25.json"),
             "/root/.bash_history", "/etc/passwd"]
    body = TRY_READ.format(paths=paths) + (
        "print('MOUNTINFO', open('/proc/self/mountinfo').read())\nreturn ep.read_full()")
    res = evaluate(controller(body), store, mode)
    assert res.error is None, res.error
    printed = _printed(res)
    if mode == "bwrap":
        assert "READ" not in printed.replace("READ /etc/passwd", "")
        assert "READ /etc/passwd" not in printed  # /etc is not bound at all
        mounts = [ln for ln in printed.splitlines() if not ln.startswith(("READ", "DENIED"))]
        assert not any(str(synth_data) in ln or "second-data" in ln for ln in mounts)
    else:
        assert res.jobs[0]["isolation"]["filesystem_hidden"] is False


def test_data_and_run_directories_inside_a_bound_folder_are_masked(store, mode, tmp_path,
                                                                   synth_data, monkeypatch):
    # Run.sandbox()'s hidden folders reach the job: data and run directory kept
    # inside a site directory on sys.path (bound into a bwrap job) stay unreadable
    from autotts.discovery.run.directory import init_run, open_run
    from autotts.discovery.sandbox.evaluate import evaluate_candidate

    from ..conftest import small_config
    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(site))
    shutil.copytree(synth_data, site / "data")
    init_run(site / "runs" / "r1", small_config(site / "data", isolation=mode))
    run = open_run(site / "runs" / "r1")
    held_out = site / "data" / "ModelA" / "aime25.json"
    paths = [str(held_out), str(site / "data" / "ModelA" / "aime24.json"),
             str(run.dir / "run.json")]
    body = TRY_READ.format(paths=paths) + "return ep.read_full()"
    res = evaluate_candidate(controller(body), None, [store], [{}], [0, 1], run.sandbox())
    assert res.error is None, res.error
    printed = _printed(res)
    if mode == "bwrap":
        denied = {ln.split()[1] for ln in printed.splitlines() if ln.startswith("DENIED")}
        assert "READ" not in printed and denied >= set(paths), printed  # a cut line aside
    else:  # recorded as a weak mode: the host file system is not hidden
        assert res.jobs[0]["isolation"]["filesystem_hidden"] is False


def test_symlinked_and_fifo_logs_cannot_steer_the_parent(store, mode, monkeypatch):
    monkeypatch.setenv("AUTOTTS_CANARY", "canary-6d1f0b")
    body = """
import os

import pytest
for name in ("stdout.log", "stderr.log", "error.txt"):
    try:
        os.symlink("/proc/1/environ", name)
    except OSError as exc:
        print("no symlink", name, type(exc).__name__)
for name in ("result.json", "job.json.fifo"):
    try:
        os.mkfifo(name)
    except OSError as exc:
        print("no fifo", name, type(exc).__name__)
return ep.read_full()
"""
    start = time.monotonic()
    res = evaluate(controller(body, "import os"), store, mode)
    assert time.monotonic() - start < 60
    assert res.error is None and res.cells, res.error
    assert "canary-6d1f0b" not in repr(res.to_dict())


def _alive(tag: str) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if tag in cmd and state != "Z":
            found.append(int(pid))
    return found


def test_session_escaping_children_die_with_the_job(store, mode):
    tag = "31415926"
    body = f"""
for _ in range(5):
    subprocess.Popen(["sleep", "{tag}"], start_new_session=True)
return ep.read_full()
"""
    start = time.monotonic()
    res = evaluate(controller(body, "import subprocess"), store, mode)
    assert res.error is None, res.error
    assert time.monotonic() - start < 60  # the held pipes do not keep the parent waiting
    time.sleep(0.5)
    assert _alive(tag) == []


def test_memory_across_workers_is_capped_in_total(store, mode):
    body = """
if not HELD:  # once per job: hold 300 MB resident, give the watchdog time to see it
    HELD.append(b"x" * (300 * 1024 * 1024))
    time.sleep(4)
return ep.read_full()
"""
    res = evaluate(controller(body, "import time\nHELD = []"), store, mode, workers=2,
                   grid=[{"beta": 0.0}, {"beta": 1.0}], total_memory_mb=450, memory_mb=1024)
    assert res.cells is None and "total memory cap" in res.error


def test_endless_output_and_cpu_burn_are_contained(store, mode):
    res = evaluate(controller("while True:\n    print('x' * 10000)"), store, mode, cpu_s=3)
    assert res.cells is None and "CPU-time limit" in res.error
    assert not res.machinery


def test_strict_refuses_without_bubblewrap(monkeypatch):
    import shutil as sh

    from autotts.discovery.sandbox import boundary
    real = sh.which
    monkeypatch.setattr(boundary.shutil, "which",
                        lambda name, *a, **k: None if name == "bwrap" else real(name, *a, **k))
    boundary.detect_isolation.cache_clear()
    try:
        with pytest.raises(boundary.IsolationUnavailable, match="strict"):
            boundary.detect_isolation("strict")
        assert boundary.detect_isolation("auto").mode != "bwrap"
        assert boundary.detect_isolation("auto").warning
    finally:
        boundary.detect_isolation.cache_clear()


def test_machinery_failure_stops_the_run_before_round_one(make_run):
    from autotts.discovery.loop import run_loop
    from autotts.discovery.proposers.manual import ManualProposer
    from autotts.discovery.sandbox.preflight import SandboxUnavailable
    run = make_run(rounds=1, memory_mb=16)  # no interpreter starts in 16 MB
    with pytest.raises(SandboxUnavailable, match="No round was started"):
        run_loop(run, ManualProposer())
    assert not (run.dir / "rounds").exists() or not any((run.dir / "rounds").iterdir())


def test_job_folders_of_a_killed_parent_are_swept(tmp_path):
    import subprocess
    import tempfile

    from autotts.discovery.sandbox.jobs import JOB_PREFIX, sweep_stale_jobs
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = Path(tempfile.gettempdir()) / f"{JOB_PREFIX}{dead.pid}-abc"
    (stale / "job0").mkdir(parents=True)
    live = Path(tempfile.mkdtemp(prefix=f"{JOB_PREFIX}{os.getpid()}-"))
    try:
        assert sweep_stale_jobs() >= 1
        assert not stale.exists() and live.exists()
    finally:
        live.rmdir()
