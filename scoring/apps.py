from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_delete, pre_delete


class ScoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scoring"
    verbose_name = "Scoring and programs"

    def ready(self) -> None:
        from scoring import summaries
        from scoring.models import Score

        # A score deleted (with its account, in the admin) leaves the summaries too.
        pre_delete.connect(summaries.before_score_deleted, sender=Score, dispatch_uid="summaries")
        post_delete.connect(summaries.after_score_deleted, sender=Score, dispatch_uid="summaries")
