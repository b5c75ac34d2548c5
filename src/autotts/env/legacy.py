"""The authors' question API, over an :class:`Episode`.

Controllers written for the AutoTTS reference (``method.py``: a class built as
``Cls(config={...})`` whose ``solve(question)`` drives a question object) run
here unchanged. The question object they see offers:

- ``probe_new()`` -> ``(answer, index, is_finished)``: open the next branch
  and take its first step (BRANCH);
- ``probe_more(index)`` -> ``(answer, is_finished)``: one more step of that
  branch (CONTINUE + PROBE);
- ``get_new_branch_final_answer()`` -> answer: read the next branch whole;
- ``probe_freq``: the interval length Δ.

Exhaustion raises ``ValueError`` as in the reference, so the reference's
``_safe_*`` helpers keep working. Two reference quirks are refused instead of
reproduced (no sane controller relies on them): stepping a branch again after
it finished (the reference re-reveals its final answer and charges its tail
again) and ``probe_more(index)`` with ``index`` equal to the number of opened
branches (the reference lets it step an unopened branch). Both raise
:class:`~autotts.env.episode.IllegalAction`, a ``ValueError``.
"""

from __future__ import annotations

from typing import Any

from autotts.env.episode import Episode, IllegalAction


class LegacyQuestion:
    """The reference's ``Question`` interface backed by an episode (no gold answer)."""

    __slots__ = ("_ep",)

    def __init__(self, episode: Episode):
        self._ep = episode

    @property
    def probe_freq(self) -> int:
        return self._ep.delta

    def probe_new(self) -> tuple[str | None, int, bool]:
        """BRANCH: open the next branch; ValueError when none is left."""
        ep = self._ep
        i = ep.open()
        return ep.latest(i), i, ep.is_finished(i)

    def probe_more(self, index: int) -> tuple[str | None, bool]:
        """CONTINUE branch ``index``; IllegalAction (a ValueError) if finished or unknown."""
        ep = self._ep
        if not isinstance(index, int) or not 0 <= index < ep.n_opened:
            raise IllegalAction(f"Index out of range for branches: {index!r} "
                                f"(opened: {ep.n_opened})")
        answer = ep.step(index)
        if answer is None:  # kappa_probe > 0: the legacy API always probes
            answer = ep.probe(index)
        return answer, ep.is_finished(index)

    def get_new_branch_final_answer(self) -> str:
        """Read the next branch whole; ValueError when none is left."""
        return self._ep.read_full()

    def get_seq_and_total_tokens(self) -> tuple[int, float]:
        return 0, self._ep.cost

    def __repr__(self) -> str:
        return "<Question>"


class LegacyController:
    """Wrap a reference-style controller object so it solves episodes."""

    def __init__(self, obj: Any, name: str | None = None, params: dict | None = None):
        if not callable(getattr(obj, "solve", None)):
            raise TypeError(f"{type(obj).__name__} has no solve(question) method")
        self.obj = obj
        self.name = name or type(obj).__name__
        self._params = dict(params or {})

    def params(self) -> dict:
        return dict(self._params)

    def solve(self, episode: Episode) -> str | None:
        return self.obj.solve(LegacyQuestion(episode))

    def last_trace(self) -> list | None:
        """The wrapped controller's own trace of its last solve, when it keeps one."""
        get = getattr(self.obj, "get_last_trace", None)
        return get() if callable(get) else None
