"""The run directory: its config, files and lock, integrity seals, wall budget, baselines."""
