#!/usr/bin/env bash
# Build the sdist and the wheel (`python -m build`: the wheel is built from the
# unpacked sdist, so it carries only what the sdist does), check what both carry, install
# the wheel in a fresh venv with its dependencies from the package index (no
# editable install, no source tree on the path), and run `autotts --help` and a
# one-setting eval there; the eval must print exactly what the source tree prints.
#
# Usage: bash .ci/wheel_check.sh  (stores: $AUTOTTS_DATA, relative to the repository
# root, default ../shared/replay; interpreter: $PYTHON, default python3)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PYTHON:-python3}"
DATA="$(cd "$ROOT" && cd "${AUTOTTS_DATA:-../shared/replay}" && pwd)" \
  || { echo "wheel check: no replay stores at ${AUTOTTS_DATA:-../shared/replay}" >&2; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# The installed package only: nothing from the caller's PYTHONPATH or checkout.
unset PYTHONPATH
export PIP_DISABLE_PIP_VERSION_CHECK=1

echo "wheel check: build"
"$PY" -m venv "$WORK/build-env"
"$WORK/build-env/bin/pip" install --quiet build
# From a copy of the files git sees (tracked or not ignored): the build writes its
# egg-info into the tree it builds, and that must not be the checkout.
mkdir "$WORK/tree"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
  | tar -C "$ROOT" --null -T - --ignore-failed-read -cf - | tar -C "$WORK/tree" -xf -
"$WORK/build-env/bin/python" -m build --outdir "$WORK/dist" "$WORK/tree" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log"; exit 1; }
"$WORK/build-env/bin/python" "$ROOT/.ci/dist_contents.py" "$WORK/dist" "$ROOT"

echo "wheel check: install $(basename "$WORK"/dist/*.whl) in a fresh venv"
"$PY" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet "$WORK"/dist/*.whl
"$WORK/venv/bin/pip" check

# From a folder outside the checkout, so only the installed copy can be imported.
cd "$WORK"
site="$("$WORK/venv/bin/python" -c 'import autotts; print(autotts.__file__)')"
case "$site" in
  "$WORK/venv/"*) echo "wheel check: autotts imported from $site" ;;
  *) echo "wheel check: autotts imported from $site, not from the fresh venv" >&2; exit 1 ;;
esac
"$WORK/venv/bin/autotts" --version
"$WORK/venv/bin/autotts" --help >/dev/null

# One setting on the four search stores, through the process pool the CLI uses.
args=(eval --controller sc --set n=4 --seeds 10 --data "$DATA" --json)
"$WORK/venv/bin/autotts" "${args[@]}" | tee "$WORK/wheel.jsonl"
PYTHONPATH="$ROOT/src" "$WORK/venv/bin/python" -c \
  'import os, sys, autotts; assert autotts.__file__.startswith(os.environ["PYTHONPATH"])
from autotts.cli.main import main; sys.argv[0] = "autotts"; main()' \
  "${args[@]}" >"$WORK/source.jsonl"
if ! diff "$WORK/source.jsonl" "$WORK/wheel.jsonl"; then
  echo "wheel check: the installed wheel's eval differs from the source tree's" >&2
  exit 1
fi
echo "wheel check: passed (the wheel's eval equals the source tree's)"
