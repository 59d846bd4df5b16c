from django.db import models


class BenchRow(models.Model):
    """The insert baseline's table: one short row per request."""

    note = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.note
