"""Settings for `make bench` and `make proof`: the product's own, plus the
baseline views and their one table. The product's settings know nothing of
benchmarks; a deployment never names this module."""

from __future__ import annotations

from simulator.settings import *  # noqa: F403
from simulator.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.bench"]
ROOT_URLCONF = "tests.bench.urls"
