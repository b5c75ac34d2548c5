"""Tamper evidence for a run's archive.

A round's ``digest`` (in its ``state.json``) is an HMAC-SHA256 over
everything its score depends on: every file of the round folder, the round
state itself (less ``digest``, the ``updated`` time and ``wall_s``), ``config.toml``,
``baselines/search.json`` and the search store files. Held-out results,
``baselines/held_out.json`` and ``final/selection.json`` are sealed the same
way (with the held-out store files and the round's candidate) in
``run.json`` under ``seals``. The key is a random secret per run kept
outside the run directory (``$AUTOTTS_KEY_DIR`` or the user state
directory), so whoever can edit the run folder -- a proposer agent, a
candidate in a weak sandbox mode -- cannot recompute a matching digest.

Checks run before selection and before the report: a round whose digest
does not match is excluded from selection and named at the top of the
report; a held-out result whose seal does not match is re-derived.
Rounds archived before this scheme (a bare hex digest) are sealed once, on
first use, if they still match the old file digest
(:func:`autotts.discovery.run.files.digest_dir`); after that only the keyed
digest is accepted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from platformdirs import user_state_dir

from autotts.discovery.run.files import digest_dir, round_dir, save_round_state

PREFIX = "hmac-sha256:"
_SKIP_STATE = ("digest", "updated", "wall_s")  # bookkeeping written after sealing


def key_dir() -> Path:
    """The directory that holds run keys (``AUTOTTS_KEY_DIR`` or the user state dir)."""
    return Path(os.environ.get("AUTOTTS_KEY_DIR") or Path(user_state_dir("autotts")) / "keys")


def run_key(run, create: bool = False) -> bytes | None:
    """The run's secret key (created once when ``create``); None when it is missing."""
    path = key_dir() / f"{run.meta['id']}.key"
    try:
        return bytes.fromhex(path.read_text().strip())
    except FileNotFoundError:
        if not create:
            return None
    except ValueError:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex())
    return key


def _feed_file(h, label: str, path: Path) -> None:
    h.update(label.encode() + b"\0")
    try:
        with open(path, "rb", opener=lambda p, f: os.open(p, f | os.O_NOFOLLOW)) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:  # a missing file, a link: changes the digest, never raises
        h.update(f"<unreadable: {type(exc).__name__}>".encode())
    h.update(b"\0")


def _mac(run, key: bytes, parts: list[tuple[str, Path]], doc: dict | None) -> str:
    h = hmac.new(key, digestmod=hashlib.sha256)
    for label, path in parts:
        _feed_file(h, label, path)
    if doc is not None:
        h.update(json.dumps({k: v for k, v in doc.items() if k not in _SKIP_STATE},
                            sort_keys=True, default=str).encode())
    return PREFIX + h.hexdigest()


def _store_parts(run, split: str) -> list[tuple[str, Path]]:
    return [(f"store:{r['name']}", Path(r["path"])) for r in run.store_refs(split)]


def _round_parts(run, n: int, skip: tuple[str, ...] = ()) -> list[tuple[str, Path]]:
    rdir = round_dir(run.dir, n)
    files = sorted(p for p in rdir.rglob("*") if (p.is_file() or p.is_symlink())
                   and p.name not in ("state.json",) + skip and not p.name.endswith(".tmp"))
    return ([(f"round:{p.relative_to(rdir)}", p) for p in files]
            + [("config.toml", run.dir / "config.toml"),
               ("baselines/search.json", run.dir / "baselines" / "search.json")]
            + _store_parts(run, "search"))


def seal_round(run, st: dict) -> str:
    """The digest to store in ``st['digest']`` (call after the round's last file is written)."""
    return _mac(run, run_key(run, create=True), _round_parts(run, st["round"]), st)


def round_intact(run, st: dict) -> bool:
    """Does a finished round still match its digest? (a missing digest does not)"""
    digest = st.get("digest") or ""
    key = run_key(run, create=True)
    if not digest.startswith(PREFIX):
        return False
    if hmac.compare_digest(_mac(run, key, _round_parts(run, st["round"]), st), digest):
        return True
    # killed between a full re-run's result (sealed on its own) and the state that records it
    return "full" not in st and hmac.compare_digest(
        _mac(run, key, _round_parts(run, st["round"], ("results_full.json",)), st), digest)


def _upgrade_legacy(run, done: list[dict]) -> None:
    """Once per run, before its key exists: rounds archived with the old bare file
    digest that still match it are sealed with the key (trust on first use).
    After that the old digest is never accepted, so it cannot be used to forge."""
    if run_key(run) is not None:
        return
    run_key(run, create=True)
    for st in done:
        digest = st.get("digest") or ""
        if digest and not digest.startswith(PREFIX) \
                and digest_dir(round_dir(run.dir, st["round"])) == digest:
            st["digest"] = seal_round(run, st)
            save_round_state(run.dir, st)


def tampered_rounds(run, done: list[dict]) -> list[int]:
    """Finished rounds whose digest does not match; recorded in run.json."""
    _upgrade_legacy(run, done)
    bad = [st["round"] for st in done if not round_intact(run, st)]
    known = run.meta.setdefault("tampering", [])
    new = [f"round {n}: archived files or score changed after the round finished"
           for n in bad]
    new = [t for t in new if t not in known]
    if new:
        known.extend(new)
        run.save_meta()
    return bad


def trusted(run, done: list[dict]) -> list[dict]:
    """``done`` without the tampered rounds (what selection may use)."""
    bad = set(tampered_rounds(run, done))
    return [st for st in done if st["round"] not in bad]


def _final_parts(run, rel: str, extra: list[tuple[str, Path]]) -> list[tuple[str, Path]]:
    return [(rel, run.dir / rel)] + extra + [("config.toml", run.dir / "config.toml")]


def _heldout_extra(run, n: int | None) -> list[tuple[str, Path]]:
    extra = _store_parts(run, "held_out")
    if n is not None:
        extra.append(("candidate.py", round_dir(run.dir, n) / "candidate.py"))
    return extra


def seal_file(run, rel: str, round_n: int | None = None) -> None:
    """Seal RUN/``rel`` (a held-out result, held-out baselines, selection) in run.json."""
    mac = _mac(run, run_key(run, create=True), _final_parts(run, rel, _heldout_extra(run, round_n)),
               None)
    run.meta.setdefault("seals", {})[rel] = mac
    run.save_meta()


def file_intact(run, rel: str, round_n: int | None = None) -> bool | None:
    """True / False for a sealed file; None when unsealed or the key is missing."""
    want = run.meta.get("seals", {}).get(rel)
    key = run_key(run)
    if want is None or key is None:
        return None
    got = _mac(run, key, _final_parts(run, rel, _heldout_extra(run, round_n)), None)
    return hmac.compare_digest(got, want)
