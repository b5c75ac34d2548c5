"""The run viewer: one self-contained HTML page per discovery run (curves,
rounds, source, diffs, contract checks, traces) and a small local server that
keeps it fresh while the run is going.

Modules: ``deps`` (the optional libraries), ``rundata`` (what is on disk),
``charts`` (Plotly figures), ``round_panel`` (one round's details),
``timeline`` (execution traces), ``page`` (assembly), ``server`` (``autotts view``),
``reproduce`` (the interactive curves of ``autotts reproduce table1``).
"""
