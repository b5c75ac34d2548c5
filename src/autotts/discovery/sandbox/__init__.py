"""Untrusted candidate code: static check, the process boundary, the worker, the cost books."""
