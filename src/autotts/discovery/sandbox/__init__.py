"""Untrusted candidate code: static check, the process boundary, the worker, and the judge."""
