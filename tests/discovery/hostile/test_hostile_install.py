"""Secure mode wherever Python is installed: an interpreter in a venv under /tmp
and a checkout cloned under /tmp still run sandboxed jobs (the tmpfs /tmp of a
bubblewrap job must not hide them), and the worker is the checkout's own."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import autotts

from .conftest import MODES

SCRIPT = """
import json, sys
import autotts
from autotts.discovery.sandbox.preflight import preflight
from autotts.discovery.sandbox.evaluate import SandboxSettings
from autotts.discovery.sandbox.process import Limits, detect_isolation
iso = detect_isolation(sys.argv[1])
wall = preflight(SandboxSettings(Limits(cpu_s=60), iso))
print(json.dumps({"package": autotts.__file__, "mode": iso.mode, "wall": wall}))
"""


def test_venv_and_checkout_under_tmp(tmp_path):
    assert str(tmp_path).startswith("/tmp/")
    checkout = tmp_path / "clone" / "src"
    shutil.copytree(Path(autotts.__file__).parent, checkout / "autotts",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "clone" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--copies", "--without-pip", str(venv)],
                   check=True, timeout=120)
    py = venv / "bin" / "python"
    # the venv under /tmp sees this environment's packages through a .pth, not a copy
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "outer.pth").write_text(sysconfig.get_path("purelib") + "\n")
    for mode in MODES:
        out = subprocess.run([str(py), "-c", SCRIPT, mode], cwd=tmp_path / "clone", check=False,
                             env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(checkout)},
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        doc = json.loads(out.stdout.strip().splitlines()[-1])
        assert doc["mode"] == mode and doc["package"].startswith(str(checkout))
