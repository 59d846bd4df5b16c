from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "tests.bench"
    label = "bench"
    verbose_name = "Benchmark baselines (tests.bench.settings only)"
    default_auto_field = "django.db.models.BigAutoField"
