"""Load and fault measurements: `make bench` and `make proof` (docs/operations.md).

The Django app here (baseline views and their one table) is installed only by
``tests.bench.settings``; the product's settings and URLs know nothing of it.
"""
