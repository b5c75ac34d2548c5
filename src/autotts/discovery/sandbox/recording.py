"""The worker's episode: the plain :class:`Episode` plus the one fact its public
state does not show, which branches were read whole, so the worker can hand
the judge a complete log. Only ``read_full`` is overridden; the hot path
(``step``, the getters) is the plain episode's."""

from __future__ import annotations

from autotts.env.episode import Episode


class RecordingEpisode(Episode):
    """An :class:`Episode` that remembers full reads for :meth:`log`."""

    __slots__ = ("_reads",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._reads: list[int] = []

    def read_full(self) -> str:
        i = self.n_opened
        a = Episode.read_full(self)
        self._reads.append(i)
        return a

    def log(self) -> tuple[int, list[int]]:
        """(branches opened, depth of each in opening order with 0 for a full read)."""
        depths = list(Episode.depths.__get__(self))
        for i in self._reads:
            depths[i] = 0
        return len(depths), depths
