r"""Answers: take the last ``\boxed{}`` by brace matching, normalise it to a
canonical string, and grade it against the gold with math-verify.

Stores hold normalised strings ("ERR" when nothing could be parsed) and the
controllers compare strings exactly, so grading maps every answer that
math-verify finds equivalent to the gold onto the gold string itself.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from autotts import install_hint
from autotts.env.labels import ERR

_BOX_MARKERS = ("\\boxed", "\\fbox")


def last_boxed(text: str) -> str | None:
    r"""Content of the last ``\boxed{...}``/``\fbox{...}`` in ``text`` whose
    braces close, found by brace depth (``\frac{}{}`` nests); None if none."""
    starts = sorted(m.end() for marker in _BOX_MARKERS
                    for m in re.finditer(re.escape(marker), text))
    for start in reversed(starts):
        j = start
        while j < len(text) and text[j] == " ":
            j += 1
        if j >= len(text) or text[j] != "{":
            continue
        depth = 0
        for k in range(j, len(text)):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    return text[j + 1:k]
    return None


_REMOVE = ("\\left", "\\right", "\\!", "\\,", "\\;", "\\:", "\\displaystyle", "$")
_TEXT_WRAP = re.compile(r"\\(?:text|textbf|mathrm|mbox)\s*\{([^{}]*)\}")


def normalize_answer(raw: str | None) -> str:
    r"""Canonical form of an extracted answer; ``ERR`` for None or empty.

    Light-touch on purpose: whitespace, ``$``, spacing macros, ``\left``/
    ``\right``, ``\dfrac``/``\tfrac``, ``\text{}`` wrappers, ``^\circ``,
    a trailing period and thousands separators in plain integers. Deeper
    equivalence is math-verify's job at grading time.
    """
    if raw is None:
        return ERR
    s = raw
    for token in _REMOVE:
        s = s.replace(token, "")
    s = _TEXT_WRAP.sub(r"\1", s)
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    s = s.replace("^\\circ", "").replace("^{\\circ}", "")
    s = " ".join(s.split()).strip().rstrip(".").strip()
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+", s):
        s = s.replace(",", "")
    return s or ERR


def answer_from_text(text: str) -> str:
    """Normalised answer of a finished output: the last boxed answer, looked
    for after ``</think>`` first (the thought may box drafts), else anywhere."""
    _, sep, tail = text.rpartition("</think>")
    found = last_boxed(tail) if sep else None
    return normalize_answer(found if found is not None else last_boxed(text))


def answer_from_probe(suffix: str, output: str) -> str:
    r"""Normalised answer of a probe: the suffix usually opens ``\boxed{`` and
    the short greedy output closes it, so parse the two together."""
    return normalize_answer(last_boxed(suffix + output))


class Grader:
    """math-verify grading with the gold first (the call is asymmetric).

    math-verify's own timeouts use ``signal.alarm``, which only works on the
    main thread; they are switched off (``parsing_timeout=None,
    timeout_seconds=None``) and a wall-clock limit is enforced here instead
    by running each check on a worker thread. Results are cached.
    """

    def __init__(self, timeout_s: float = 10.0):
        try:
            import math_verify
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(f"grading needs math-verify: {install_hint('live')}") from exc
        # math-verify warns on every call that its timeouts are off; we know.
        logging.getLogger("math_verify").setLevel(logging.ERROR)
        self._mv = math_verify
        self._timeout = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader")
        self._cache: dict[tuple[str, str], bool] = {}

    def _check(self, gold: str, answer: str) -> bool:
        mv = self._mv
        g = mv.parse(f"${gold}$", parsing_timeout=None)
        if not g:
            g = mv.parse(gold, parsing_timeout=None)
        p = mv.parse(f"$\\boxed{{{answer}}}$", parsing_timeout=None)
        return bool(g and p and mv.verify(g, p, timeout_seconds=None))

    def equivalent(self, gold: str, answer: str) -> bool:
        """True when ``answer`` equals ``gold`` (as strings or per math-verify);
        a check that errors or exceeds the time limit counts as not equal."""
        if answer == gold:
            return True
        if answer == ERR or not gold:
            return False
        key = (gold, answer)
        if key not in self._cache:
            try:
                future = self._pool.submit(self._check, gold, answer)
                self._cache[key] = future.result(self._timeout)
            except TimeoutError:
                # The stuck thread cannot be killed; leave it and grade on a fresh one.
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="grader")
                self._cache[key] = False
            except Exception:  # noqa: BLE001 - any parser failure means "not shown equal"
                self._cache[key] = False
        return self._cache[key]

    def canonical(self, gold: str, answers: Iterable[str]) -> list[str]:
        """``answers`` with every one equivalent to ``gold`` replaced by ``gold``."""
        return [gold if self.equivalent(gold, a) else a for a in answers]

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
