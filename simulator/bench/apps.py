from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "simulator.bench"
    label = "bench"
    verbose_name = "Benchmark baselines (BENCH=1 only)"
    default_auto_field = "django.db.models.BigAutoField"
