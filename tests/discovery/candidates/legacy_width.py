"""A candidate in the authors' question API, with the extra classes their files hold."""

from abc import ABC, abstractmethod
from collections import Counter

import numpy as np
from scipy.stats import beta as beta_dist


class LLMDesignedMethod(ABC):
    def __init__(self, config=None):
        self.config = config or {}

    @abstractmethod
    def solve(self, question):
        pass


class OptimalController(LLMDesignedMethod):
    """Lockstep probing of a beta-sized set of branches; Beta-confidence stop."""

    def _width(self):
        return int(np.clip(round(2 + 30 * float(self.config.get("beta", 0.5))), 2, 64))

    def solve(self, question):
        answers, finished = [], []
        for _ in range(self._width()):
            try:
                ans, idx, fin = question.probe_new()
            except ValueError:
                break
            answers.append(ans)
            finished.append(fin)
        for _ in range(120):
            if all(finished):
                break
            for i in range(len(answers)):
                if not finished[i]:
                    answers[i], finished[i] = question.probe_more(i)
            done = [a for a, f in zip(answers, finished) if f]
            top = Counter(done).most_common(2)
            if len(done) >= 3:
                v1 = top[0][1]
                v2 = top[1][1] if len(top) > 1 else 0
                if 1 - beta_dist.cdf(0.5, v1 + 1, v2 + 1) > 0.95:
                    return top[0][0]
        return Counter(answers).most_common(1)[0][0] if answers else None
