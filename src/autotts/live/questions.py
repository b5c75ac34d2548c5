"""Question sets for collection: a JSONL file or a Hugging Face dataset.

JSONL: one object per line with ``question`` and ``answer`` (strings or
numbers) and an optional unique ``id``; blank lines are skipped. Every
problem raises :class:`QuestionsError` naming the file, line and field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autotts.errors import InputError


class QuestionsError(InputError, ValueError):
    """The question set is missing or malformed."""


@dataclass(frozen=True)
class QuestionItem:
    """One question: ``id`` (unique key), ``question`` text and ``answer`` (gold, raw)."""

    id: str
    question: str
    answer: str


def _field(row: dict, name: str, where: str) -> str:
    if name not in row:
        raise QuestionsError(f"{where}: missing field '{name}'")
    value = row[name]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QuestionsError(f"{where}: field '{name}' must be a string or number, "
                             f"got {type(value).__name__}")
    text = str(value).strip()
    if not text:
        raise QuestionsError(f"{where}: field '{name}' is empty")
    return text


def _dedupe(items: list[QuestionItem], source: str) -> list[QuestionItem]:
    if not items:
        raise QuestionsError(f"{source}: no questions found")
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise QuestionsError(f"{source}: duplicate question id {item.id!r}")
        seen.add(item.id)
    return items


def load_jsonl(path: str | Path) -> list[QuestionItem]:
    """Questions of a JSONL file, in file order; raises QuestionsError."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise QuestionsError(f"{path}: questions file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise QuestionsError(f"{path}: cannot read questions file ({exc})") from None
    items: list[QuestionItem] = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise QuestionsError(f"{where}: not valid JSON ({exc.msg})") from None
        if not isinstance(row, dict):
            raise QuestionsError(f"{where}: expected a JSON object with 'question' and 'answer'")
        qid = _field(row, "id", where) if "id" in row else str(len(items))
        items.append(QuestionItem(qid, _field(row, "question", where),
                                  _field(row, "answer", where)))
    return _dedupe(items, str(path))


def load_hf_dataset(name: str, *, split: str = "test", config: str | None = None,
                    question_field: str = "problem", answer_field: str = "answer",
                    id_field: str | None = None) -> list[QuestionItem]:
    """Questions of a Hugging Face dataset (needs the ``datasets`` package and
    the dataset in its cache or reachable); raises QuestionsError."""
    try:
        import datasets
    except ImportError:
        raise QuestionsError("loading a Hugging Face dataset needs the 'datasets' package "
                             "(pip install datasets), or pass a JSONL --questions file") from None
    try:
        rows = datasets.load_dataset(name, config, split=split)
    except Exception as exc:  # noqa: BLE001 - datasets raises many types; report any
        raise QuestionsError(f"dataset {name!r} (split {split!r}): cannot load ({exc})") from None
    items = []
    for n, row in enumerate(rows):
        where = f"dataset {name!r} row {n}"
        qid = _field(row, id_field, where) if id_field else str(n)
        items.append(QuestionItem(qid, _field(row, question_field, where),
                                  _field(row, answer_field, where)))
    return _dedupe(items, f"dataset {name!r}")
