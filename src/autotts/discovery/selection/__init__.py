"""After the rounds: the picks, the few-seed re-runs, the held-out phase and the run report."""
