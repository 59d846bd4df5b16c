"""Load and fault measurements: `make bench` and `make proof` (docs/operations.md).

The Django app here (baseline views and their one table) is installed only
when ``BENCH=1``; without it neither its URLs nor its table exist.
"""
