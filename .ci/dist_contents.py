"""Check what the built sdist and wheel carry: exactly the package's files.

Usage: python .ci/dist_contents.py DIST_DIR REPO_ROOT

The wheel's ``autotts/`` files must equal the files git sees under src/autotts
(tracked, or new and not ignored: the tree the check builds from). That is every
module and every data file the package reads at run time (the discovery prompt
template, the viewer's assets, the published-store catalogue). The sdist must
carry the same files under ``src/`` plus its metadata, and no tests, results,
benchmarks or docs. Exits 1 with the differences otherwise.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

# What an sdist adds around the package (setuptools writes the egg-info).
SDIST_EXTRA = {"PKG-INFO", "README.md", "pyproject.toml", "setup.cfg", "MANIFEST.in"}


def package_files(root: Path) -> set[str]:
    """The package's files git sees, relative to src/ (``autotts/...``)."""
    cmd = ["git", "ls-files", "--cached", "--others", "--exclude-standard", "src/autotts"]
    out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
    return {line.removeprefix("src/") for line in out.splitlines()}


def wheel_files(path: Path) -> set[str]:
    """Files of the wheel outside its ``.dist-info`` folder."""
    with zipfile.ZipFile(path) as zf:
        return {n for n in zf.namelist() if ".dist-info/" not in n}


def sdist_files(path: Path) -> set[str]:
    """Regular files of the sdist, relative to its top folder, without the egg-info."""
    with tarfile.open(path) as tf:
        names = [m.name.split("/", 1)[1] for m in tf.getmembers() if m.isfile()]
    return {n for n in names if ".egg-info/" not in n}


def differences(label: str, got: set[str], want: set[str]) -> list[str]:
    """One line per file missing from or extra in ``got``."""
    return ([f"{label}: missing {n}" for n in sorted(want - got)]
            + [f"{label}: unexpected {n}" for n in sorted(got - want)])


def main(dist: Path, root: Path) -> int:
    """Print the differences of both archives from the tracked files; 1 if any."""
    want = package_files(root)
    (wheel,), (sdist,) = dist.glob("*.whl"), dist.glob("*.tar.gz")
    problems = differences(wheel.name, wheel_files(wheel), want)
    problems += differences(sdist.name, sdist_files(sdist),
                            {f"src/{n}" for n in want} | SDIST_EXTRA)
    for line in problems:
        print(line)
    if not problems:
        data = sorted(n for n in want if not n.endswith(".py"))
        print(f"dist contents: {len(want)} package files in wheel and sdist, "
              f"data files: {', '.join(data)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
