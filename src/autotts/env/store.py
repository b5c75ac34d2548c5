"""Replay stores: load, validate and compile the published AutoTTS format.

A store file is a JSON list of questions (optionally gzipped). Each question
holds ``question``, ``gold_answer``, ``probe_freq`` (interval length Δ in
tokens), ``final_answers_trace`` and ``each_branch``, a list of
``[probe_list, branch_tokens, final_answer]`` triples (REPLAY_PROTOCOL.md §1).

Loading validates every field and compiles each question into compact
arrays: answers are interned to small integers per question, probes form a
padded matrix, and branch lengths and final answers are vectors. Every
problem raises :class:`StoreError` naming the file, question, branch and
field, and what was expected.
"""

from __future__ import annotations

import gzip
import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autotts.env import store_cache
from autotts.errors import AutoTTSError

REQUIRED_KEYS = ("question", "gold_answer", "probe_freq", "each_branch")


class StoreError(AutoTTSError, ValueError):
    """A replay store file is missing, unreadable or malformed."""

    def __init__(self, path: str | Path, message: str, *, question: int | None = None,
                 branch: int | None = None, field: str | None = None):
        where = [str(path)]
        if question is not None:
            where.append(f"question {question}")
        if branch is not None:
            where.append(f"branch {branch}")
        if field is not None:
            where.append(f"field '{field}'")
        super().__init__(f"{', '.join(where)}: {message}")
        self.path, self.question, self.branch, self.field = str(path), question, branch, field


@dataclass(frozen=True, eq=False)
class CompiledQuestion:
    """One question compiled to arrays. Answer ids index ``labels``.

    ``probes[b, j]`` is the id of branch b's j-th probe answer (-1 past the
    end), ``n_probes[b]`` its probe count, ``tokens[b]`` its full length and
    ``finals[b]`` the id of its final answer. ``gold`` is the gold string;
    ``gold_id`` its id in ``labels`` or -1 when no branch ever produced it.
    """

    index: int
    text: str
    gold: str
    gold_id: int
    delta: int
    labels: tuple[str, ...]
    probes: np.ndarray
    n_probes: np.ndarray
    tokens: np.ndarray
    finals: np.ndarray

    @property
    def n_branches(self) -> int:
        return int(self.tokens.shape[0])

    def branch_answers(self) -> list[tuple[str, ...]]:
        """Probe answers of every branch as strings (for the Python episode)."""
        labels = self.labels
        return [tuple(labels[x] for x in row[:k])
                for row, k in zip(self.probes.tolist(), self.n_probes.tolist())]


@dataclass(frozen=True, eq=False)
class ReplayStore:
    """A loaded replay store: one (model, dataset) pair's compiled questions."""

    name: str
    path: str
    questions: tuple[CompiledQuestion, ...]

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def n_branches(self) -> int:
        return max((q.n_branches for q in self.questions), default=0)

    @property
    def delta(self) -> int:
        return self.questions[0].delta if self.questions else 0


def read_json(path: Path) -> object:
    """Read a ``.json`` or ``.json.gz`` file; raise StoreError on any failure."""
    return parse_json(path, read_bytes(path))


def read_bytes(path: Path) -> bytes:
    """The file's bytes; raise StoreError when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise StoreError(path, "file not found") from None
    except OSError as exc:
        raise StoreError(path, f"cannot read file ({exc.strerror})") from None


def parse_json(path: Path, raw: bytes) -> object:
    """The JSON in ``raw`` (gunzipped first when gzip); ``path`` names it in errors."""
    if not raw:  # checked before the gzip test so an empty .json.gz says "empty"
        raise StoreError(path, "file is empty (0 bytes); expected a JSON list of questions")
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise StoreError(path, f"bad or truncated gzip data ({exc})") from None
    elif path.suffix == ".gz":
        raise StoreError(path, "expected gzip data (name ends in .gz) but the file is not gzip")
    if not raw.strip():
        raise StoreError(path, "file is empty; expected a JSON list of questions")
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise StoreError(path, "not UTF-8 text; expected a JSON list of questions") from None
    except json.JSONDecodeError as exc:
        raise StoreError(path, f"not valid JSON (line {exc.lineno}, column {exc.colno}: "
                               f"{exc.msg}); the file may be truncated") from None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_answer(path, value, qi, bi, field) -> str:
    if not isinstance(value, str):
        raise StoreError(path, f"expected an answer string, got {type(value).__name__}",
                         question=qi, branch=bi, field=field)
    return value


def _check_header(path: Path, qi: int, raw: object) -> tuple[str, str, int, list]:
    """Validate a question's own fields; returns (text, gold, delta, branches)."""
    if not isinstance(raw, dict):
        raise StoreError(path, f"expected an object, got {type(raw).__name__}", question=qi)
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise StoreError(path, "missing required key", question=qi, field=key)
    text = raw["question"]
    if not isinstance(text, str):
        raise StoreError(path, "expected a string", question=qi, field="question")
    gold = raw["gold_answer"]
    if not isinstance(gold, str):
        raise StoreError(path, f"expected a string, got {type(gold).__name__}",
                         question=qi, field="gold_answer")
    delta = raw["probe_freq"]
    if not _is_int(delta) or delta <= 0:
        raise StoreError(path, f"expected a positive integer, got {delta!r}",
                         question=qi, field="probe_freq")
    branches = raw["each_branch"]
    if not isinstance(branches, list) or not branches:
        raise StoreError(path, "expected a non-empty list of branches",
                         question=qi, field="each_branch")
    trace = raw.get("final_answers_trace")
    if trace is not None and not isinstance(trace, list):
        raise StoreError(path, "expected a list of answer strings",
                         question=qi, field="final_answers_trace")
    return text, gold, delta, branches


def _compile_question(path: Path, qi: int, raw: object) -> CompiledQuestion:
    """Validate one question and compile it to arrays, answers interned to ids."""
    text, gold, delta, branches = _check_header(path, qi, raw)
    ids: dict[str, int] = {}
    rows: list[list[int]] = []
    tokens: list[int] = []
    finals: list[int] = []
    for bi, branch in enumerate(branches):
        if not isinstance(branch, list) or len(branch) != 3:
            raise StoreError(path, "expected a 3-item list [probe_list, branch_tokens, "
                                   f"final_answer], got {type(branch).__name__}"
                                   + (f" of length {len(branch)}" if isinstance(branch, list)
                                      else ""),
                             question=qi, branch=bi, field="each_branch")
        probe_list, n_tokens, final = branch
        if not isinstance(probe_list, list):
            raise StoreError(path, f"expected a list of answers, got {type(probe_list).__name__}",
                             question=qi, branch=bi, field="probe_list")
        if not _is_int(n_tokens) or n_tokens < 0:
            raise StoreError(path, f"expected a non-negative integer, got {n_tokens!r}",
                             question=qi, branch=bi, field="branch_tokens")
        row = [ids.setdefault(_check_answer(path, p, qi, bi, f"probe_list[{j}]"), len(ids))
               for j, p in enumerate(probe_list)]
        rows.append(row)
        tokens.append(n_tokens)
        finals.append(ids.setdefault(_check_answer(path, final, qi, bi, "final_answer"), len(ids)))

    width = max((len(r) for r in rows), default=0)
    probes = np.full((len(rows), max(width, 1)), -1, dtype=np.int32)
    for bi, row in enumerate(rows):
        probes[bi, :len(row)] = row
    labels = tuple(ids)
    return CompiledQuestion(
        index=qi, text=text, gold=gold, gold_id=ids.get(gold, -1), delta=delta,
        labels=labels, probes=probes,
        n_probes=np.array([len(r) for r in rows], dtype=np.int32),
        tokens=np.array(tokens, dtype=np.int64), finals=np.array(finals, dtype=np.int32),
    )


def load_store(path: str | Path, name: str | None = None, *, cache: bool = True) -> ReplayStore:
    """Load and validate one store file; returns the compiled :class:`ReplayStore`.

    With ``cache`` a store whose exact bytes were compiled before is read from
    the compiled-store cache (``store_cache.py``; ``$AUTOTTS_STORE_CACHE``).
    """
    path = Path(path)
    name = name or store_name_from_path(path)
    raw = read_bytes(path)
    entry = store_cache.entry_path(raw) if cache else None
    fields = store_cache.read(entry) if entry is not None else None
    if fields is not None:  # name and path are this call's, never the cached ones
        questions = tuple(CompiledQuestion(**f) for f in fields)
        return ReplayStore(name=name, path=str(path), questions=questions)
    data = parse_json(path, raw)
    if not isinstance(data, list):
        raise StoreError(path, f"expected a JSON list of questions at top level, "
                               f"got {type(data).__name__}")
    if not data:
        raise StoreError(path, "the list of questions is empty")
    store = store_from_records(data, name=name, path=path)
    if entry is not None:
        store_cache.write(entry, store.questions)
    return store


def store_from_records(records: list, name: str, path: str | Path = "<memory>") -> ReplayStore:
    """Validate and compile already-parsed question records (``path`` names them in errors)."""
    path = Path(path)
    questions = tuple(_compile_question(path, qi, q) for qi, q in enumerate(records))
    return ReplayStore(name=name, path=str(path), questions=questions)


def store_name_from_path(path: Path) -> str:
    """``<Model>/<dataset>`` from ``.../<Model>/<dataset>.json[.gz]``."""
    stem = path.name
    for suffix in (".json.gz", ".json"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return f"{path.parent.name}/{stem}"
