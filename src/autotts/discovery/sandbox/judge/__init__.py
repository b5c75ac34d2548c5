"""The judge, in the parent: the cost books (cost re-derived from each episode's log) and
the interference check (sampled episodes re-run alone and on twin questions)."""
