"""A disk cache of compiled replay stores, so a store loaded before costs a
hash and one file read instead of gzip, JSON parsing and compilation.

An entry is keyed by the SHA-256 of the store file's bytes, under a folder
named for the code that compiled it (this cache's format version, the package
version and the bytes of ``store.py`` and this module): a change to the
compilation can never reuse entries of the old one.

Format: one uncompressed ``.npz`` read with ``allow_pickle=False``. Each
question's arrays are concatenated into flat arrays (a few zip members per
store, not four per question, keeps the read fast), with a per-question
table of scalars and shapes, and the strings (texts, golds, labels) as UTF-8
JSON in a ``uint8`` member. Unlike pickle, reading an entry cannot run code,
so a planted file can at worst be rejected or give wrong arrays, never take
over the process. Entries are checked on read (zip CRCs, dtypes, shapes,
ids within range); anything off is a miss and the entry is deleted.

Location: ``$AUTOTTS_STORE_CACHE`` if set (empty or ``off`` turns the cache
off), else ``stores/`` in the user cache (``$AUTOTTS_CACHE`` or the platform's
user cache directory, as for the Beta table). It holds gold answers, so the
sandbox hides it from candidates (``sandbox/boundary.py``) and sandboxed
workers never use it. Any error reading or writing it falls back to loading
the store as if there were no cache.

This module knows the field names of ``CompiledQuestion`` but not the class
(``store.py`` imports this module, not the other way round): it encodes any
object with those attributes and decodes to dicts of fields.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from autotts import __version__
from autotts.fileio import write_atomic

ENV = "AUTOTTS_STORE_CACHE"
FORMAT = 1
# per question: index, gold_id, delta, branches, probe-matrix width
_SCALARS = ("index", "gold_id", "delta", "n_branches", "width")
_ARRAYS = {"probes": np.int32, "n_probes": np.int32, "tokens": np.int64, "finals": np.int32}


def cache_dir() -> Path | None:
    """Where compiled stores are cached, or None when the cache is off."""
    value = os.environ.get(ENV)
    if value is not None:
        value = value.strip()
        return None if value in ("", "off") else Path(value).expanduser()
    root = os.environ.get("AUTOTTS_CACHE", "").strip()
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("autotts")
    return Path(root).expanduser() / "stores"


@lru_cache(maxsize=1)
def code_key() -> str:
    """Digest of everything that decides what an entry holds."""
    h = hashlib.sha256(f"format {FORMAT} autotts {__version__}\n".encode())
    here = Path(__file__).resolve()
    for source in (here.with_name("store.py"), here):
        h.update(source.read_bytes())
    return h.hexdigest()[:16]


def entry_path(raw: bytes) -> Path | None:
    """The entry for a store file with bytes ``raw``; None when the cache is off."""
    try:
        root = cache_dir()
        if root is None:
            return None
        return root / code_key() / f"{hashlib.sha256(raw).hexdigest()}.npz"
    except (OSError, RuntimeError, ValueError):  # no home directory, unreadable sources
        return None


def read(entry: Path) -> list[dict] | None:
    """The questions' fields stored in ``entry``; None on a miss or a bad entry."""
    try:
        if not entry.is_file():
            return None
        with np.load(entry, allow_pickle=False) as npz:
            fields = _decode({k: npz[k] for k in npz.files})
    except Exception:  # noqa: BLE001 - a corrupt entry can raise anything numpy or zipfile can
        fields = None
    if fields is None:
        _discard(entry)
    return fields


def write(entry: Path, questions) -> None:
    """Store the compiled ``questions`` at ``entry``; a failure only loses the entry."""
    try:
        buf = io.BytesIO()
        np.savez(buf, **_encode(questions))
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(entry, buf.getvalue())
    except Exception:  # noqa: BLE001 - read-only or full disk, odd paths: the cache is optional
        pass


def _discard(entry: Path) -> None:
    try:
        entry.unlink(missing_ok=True)
    except OSError:
        pass


def _encode(questions) -> dict[str, np.ndarray]:
    scalars = [[q.index, q.gold_id, q.delta, q.probes.shape[0], q.probes.shape[1]]
               for q in questions]
    out = {"scalars": np.array(scalars, dtype=np.int64)}
    for name, dtype in _ARRAYS.items():
        out[name] = np.concatenate([getattr(q, name).astype(dtype, copy=False).ravel()
                                    for q in questions])
    meta = {"texts": [q.text for q in questions], "golds": [q.gold for q in questions],
            "labels": [list(q.labels) for q in questions]}
    out["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    return out


def _decode(members: dict[str, np.ndarray]) -> list[dict] | None:
    """Fields of every question, or None when the members are not a valid entry."""
    if set(members) != {"scalars", "meta", *_ARRAYS}:
        return None
    scalars = members["scalars"]
    if scalars.dtype != np.int64 or scalars.ndim != 2 or scalars.shape[1] != len(_SCALARS) \
            or not len(scalars):
        return None
    for name, dtype in _ARRAYS.items():
        if members[name].dtype != dtype or members[name].ndim != 1:
            return None
    meta = json.loads(members["meta"].tobytes().decode("utf-8"))
    if not _meta_ok(meta, len(scalars)):
        return None
    return _split(scalars, members, meta)


def _meta_ok(meta: object, n: int) -> bool:
    if not isinstance(meta, dict) or set(meta) != {"texts", "golds", "labels"}:
        return False
    if any(not isinstance(meta[k], list) or len(meta[k]) != n for k in meta):
        return False
    strings = meta["texts"] + meta["golds"] + [x for ls in meta["labels"] for x in ls]
    return all(isinstance(ls, list) for ls in meta["labels"]) \
        and all(isinstance(s, str) for s in strings)


def _split(scalars: np.ndarray, members: dict, meta: dict) -> list[dict] | None:
    """Cut the flat arrays back into questions, checking every length and id."""
    branches, widths = scalars[:, 3], scalars[:, 4]
    if (branches < 1).any() or (widths < 1).any() or (scalars[:, 2] < 1).any() \
            or (scalars[:, 0] != np.arange(len(scalars))).any():
        return None
    if len(members["probes"]) != int((branches * widths).sum()) or any(
            len(members[k]) != int(branches.sum()) for k in ("n_probes", "tokens", "finals")):
        return None
    out, p, b = [], 0, 0
    for qi, (index, gold_id, delta, nb, width) in enumerate(scalars.tolist()):
        q = {"index": index, "text": meta["texts"][qi], "gold": meta["golds"][qi],
             "gold_id": gold_id, "delta": delta, "labels": tuple(meta["labels"][qi]),
             "probes": members["probes"][p:p + nb * width].reshape(nb, width)}
        for name in ("n_probes", "tokens", "finals"):
            q[name] = members[name][b:b + nb]
        if not _ids_ok(q, width):
            return None
        out.append(q)
        p, b = p + nb * width, b + nb
    return out


def _ids_ok(q: dict, width: int) -> bool:
    n = len(q["labels"])
    gold_ok = q["gold_id"] == (q["labels"].index(q["gold"]) if q["gold"] in q["labels"] else -1)
    return gold_ok and q["probes"].min() >= -1 and q["probes"].max() < n \
        and q["finals"].min() >= 0 and q["finals"].max() < n \
        and q["n_probes"].min() >= 0 and q["n_probes"].max() <= width \
        and q["tokens"].min() >= 0
