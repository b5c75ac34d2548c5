"""Momentum consensus: the controller the built-in search discovered (issue 31).

Provenance: the fold table at tag ``folds-v1`` (commit ``558e025``), fold
"search on aime24" (held out: aime25, hmmt25), job ``search-aime24-s0`` (run
id fbada59f642a, run seed 0), round 4 (``results/folds/search-aime24-s0/
rounds/r0004/candidate.py``, design 1416cd43bd62). Chosen on search numbers
only, by the loop's own fitness rule applied to all 25 rounds of that fold's
five jobs: its fitness on the aime24 search split, 63.594, is the highest
(the next, 63.577, is the same job's round 5). The code below is that round's
file with the class renamed, and the part functions and branch bookkeeping
it copied (from :mod:`autotts.controllers.parts`, :mod:`~autotts.controllers.moves`
and :mod:`~autotts.controllers.branches`) imported from there instead;
``tests/controllers/test_momentum_consensus.py`` checks that it gives exactly
the archived round's search-split numbers, and that its compiled fast path (the
search's design kernel) gives the readable path's.

What it does, per question (every knob a straight line in ``beta``):

- **start small**: open 2 + 6 beta branches (at most 2 + 60 beta ever);
- **race toward the consensus**: each outer step, branches whose latest
  answer agrees with the majority of *finished* answers take 1 + 2 beta
  intervals, the others one (most advanced first);
- **prune the stubborn**: a branch that disagreed with that majority for
  11 + 14 beta steps in a row is pruned (after a warm-up of 2 + 23 beta steps);
- **widen when confidence stalls**: an EMA of the finished pool's Beta
  confidence drives widening, 1 + 3 beta branches whenever the EMA is below
  0.85 + 0.14 beta and has risen by at most ~0.04 over its trend window;
  when every branch is done, refill 7 + 8 beta;
- **stop on momentum**: once warm, with at least 2 + 2 beta finished votes,
  stop when the EMA is at least 0.85 + 0.12 beta and has not fallen over the
  window (by more than the slack).

The answer is the majority of finished answers (of the live branches' latest
answers when none finished). Held-out figures: docs/discovered.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from autotts.controllers.base import Controller
from autotts.controllers.branches import Branches, open_branches, track_confidence
from autotts.controllers.moves import deepen_aligned, prune_patience, widen_stalled
from autotts.controllers.parts import answer_completed, frac, stop_momentum, vote_completed, whole

MAX_STEPS = 500  # outer rounds per question

# knob = (BASE, SLOPE)
N_INIT = (2, 6)  # branches opened at the start
MAX_BRANCHES = (2.31, 60)  # most branches ever opened (ceiling 64)
WARM_UP = (1.66, 23.27)  # steps before pruning, aligned depth and stopping
REFILL = (7.43, 7.77)  # branches opened when every branch is done
WIDEN_SIZE = (1, 3)  # branches opened per widening
STALL = (0.04, -0.03)  # EMA rise at or below which confidence has stalled
WIDEN_CONF = (0.85, 0.135)  # EMA below which widening is allowed
EMA_ALPHA = (0.7, -0.4)  # weight of the newest confidence in the EMA
TREND_LEN = (2, 6)  # EMA points in the trend window
ALIGNED_BURST = (1, 2)  # intervals a winner-aligned branch takes per step
PATIENCE = (11.3, 13.75)  # disagreeing steps before a branch is pruned
CONF_THRESH = (0.85, 0.12)  # confidence needed to stop
MIN_VOTES = (2, 2.1)  # votes needed before stopping
SLACK = (0.04, -0.03)  # EMA fall over the trend window still allowed at a stop

#: The design as the built-in search writes it (its five parts; every knob's
#: (BASE, SLOPE) is the constant above): the genome the fast path compiles.
GENOME = {
    "parts": {"vote": "completed", "widen": "stalled", "depth": "aligned",
              "prune": "patience", "stop": "momentum"},
    "coefs": {"n_init": N_INIT, "max_branches": MAX_BRANCHES, "warm_up": WARM_UP,
              "refill": REFILL, "widen_size": WIDEN_SIZE, "stall": STALL,
              "widen_conf": WIDEN_CONF, "ema_alpha": EMA_ALPHA, "trend_len": TREND_LEN,
              "aligned_burst": ALIGNED_BURST, "patience": PATIENCE, "conf_thresh": CONF_THRESH,
              "min_votes": MIN_VOTES, "slack": SLACK},
}


def schedule(beta: float) -> dict:
    """Every knob at this beta (bigger beta = more budget)."""
    b = min(1.0, max(0.0, float(beta)))
    return {
        "n_init": whole(N_INIT, b, 1, 64),
        "max_branches": whole(MAX_BRANCHES, b, 1, 64),
        "warm_up": whole(WARM_UP, b, 0, 40),
        "refill": whole(REFILL, b, 0, 16),
        "widen_size": whole(WIDEN_SIZE, b, 1, 16),
        "stall": frac(STALL, b, -0.2, 0.3),
        "widen_conf": frac(WIDEN_CONF, b, 0.5, 0.999),
        "ema_alpha": frac(EMA_ALPHA, b, 0.05, 1.0),
        "trend_len": whole(TREND_LEN, b, 2, 16),
        "aligned_burst": whole(ALIGNED_BURST, b, 1, 6),
        "patience": whole(PATIENCE, b, 1, 40),
        "conf_thresh": frac(CONF_THRESH, b, 0.5, 0.999),
        "min_votes": whole(MIN_VOTES, b, 1, 32),
        "slack": frac(SLACK, b, 0.0, 0.2),
    }


@dataclass(frozen=True)
class MomentumConsensus(Controller):
    """Race toward the finished answers' majority, widen when its confidence
    stalls, stop when its confidence EMA is high and not falling."""

    name: ClassVar[str] = "momentum-consensus"  # its id in controllers/registry.py
    #: the search's genome of this design (its parts name the kernel's branches)
    genome: ClassVar[dict] = GENOME

    beta: float = 0.5

    def knobs(self) -> dict:
        """Every knob at this controller's beta (what the fast path compiles)."""
        return schedule(self.beta)

    def solve(self, ep) -> str | None:
        k = schedule(self.beta)
        st = Branches(ep, k["trend_len"])
        open_branches(st, min(k["n_init"], k["max_branches"]))
        if not st.ids:
            return None
        for step in range(MAX_STEPS):
            warm = step >= k["warm_up"]
            winner, conf = vote_completed(st, k)
            track_confidence(st, conf, k["ema_alpha"], True)
            if warm and winner is not None:
                prune_patience(st, winner, k)
            deepen_aligned(st, winner if warm else None, k)
            winner, conf = vote_completed(st, k)
            track_confidence(st, conf, k["ema_alpha"], False)
            if stop_momentum(st, winner, conf, warm, k):
                ep.note(f"stop at step {step}: winner {winner!r}, confidence {conf:.3f}")
                return winner
            room = k["max_branches"] - len(st.ids)
            if not st.alive():
                if k["refill"] <= 0 or room <= 0 or ep.branches_left <= 0:
                    ep.note("every branch finished or pruned")
                    break
                open_branches(st, min(k["refill"], room))
                continue
            if room > 0:
                open_branches(st, min(widen_stalled(st, winner, conf, step, k), room))
        return answer_completed(st, k)
