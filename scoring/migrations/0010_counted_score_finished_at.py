from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_finished_at(apps, schema_editor):
    """Each counted score's attempt's finished_at, copied."""
    CountedScore = apps.get_model("scoring", "CountedScore")
    Attempt = apps.get_model("simulator", "Attempt")
    CountedScore.objects.update(
        finished_at=Subquery(
            Attempt.objects.filter(scores=OuterRef("score")).values("finished_at")[:1]
        )
    )


class Migration(migrations.Migration):
    """The newest attempts a program page lists are the first rows of one index."""

    dependencies = [
        ("scoring", "0009_summaries"),
    ]

    operations = [
        migrations.AddField(
            model_name="countedscore",
            name="finished_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(copy_finished_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="countedscore",
            name="finished_at",
            field=models.DateTimeField(),
        ),
        migrations.RemoveIndex(
            model_name="countedscore",
            name="counted_score_scope",
        ),
        migrations.AddIndex(
            model_name="countedscore",
            index=models.Index(
                fields=["program", "cohort", "finished_at", "score"],
                name="counted_score_scope_finished",
            ),
        ),
    ]
