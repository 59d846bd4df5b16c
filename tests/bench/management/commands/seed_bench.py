"""Seed a large program for `make bench`: 300 residents, 100,000 scored attempts.

Attempts follow real paths through the bundled cases, scored by the real
rubric once per path; the rows (attempt, score, step outcomes, decision
outcomes, option picks) are then bulk-inserted in batches, and the summaries
the program pages read are recounted once at the end (scoring.summaries).
Choices and xAPI statements are not seeded: no page measured by the bench
reads them.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from cases.models import Case
from scoring import items, rubric, summaries
from scoring.models import (
    Assignment,
    Cohort,
    CohortMember,
    CountedScore,
    DecisionOutcome,
    Mode,
    OptionPick,
    Score,
    StepOutcome,
)
from simulator import engine
from simulator.accounts.models import Membership, Program, Role
from simulator.models import Attempt

BENCH_SLUG = "bench-residency"
BATCH = 2000


class Command(BaseCommand):
    help = "Create the Bench Residency: residents, cohorts, an assignment and scored attempts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--residents", type=int, default=300)
        parser.add_argument("--attempts", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=6)

    def handle(self, *args: Any, **options: Any) -> None:
        if Program.objects.filter(slug=BENCH_SLUG).exists():
            self.stdout.write("The bench program exists; nothing seeded.")
            return
        if not Case.objects.filter(program__isnull=True, published__isnull=False).exists():
            call_command("import_content", "cases/content", stdout=self.stdout)
        rng = random.Random(options["seed"])  # noqa: S311 - test data
        seed_bench(options["residents"], options["attempts"], rng, self.stdout.write)


def _paths(case: Case) -> list[dict[str, Any]]:
    """Scored paths through a case, each with the rows an attempt on it stores."""
    version = case.published
    doc, algorithm = version.parsed, version.algorithm_version.parsed
    found = []
    for path in engine.all_paths(doc, limit=40):
        result = rubric.score(algorithm, doc, path.state.points, path.state.taken)
        data = result.to_dict()
        choices = [(i, path.state.visited[i], c) for i, c in enumerate(path.choices)]
        found.append(
            {
                "score": result.score,
                "critical": len(result.critical_errors),
                "result": data,
                "steps": [(s.step, s.title, s.verdict.value, s.credit) for s in result.steps],
                "decisions": items.decisions(choices, data["actions"]),
            }
        )
    return found


def seed_bench(residents: int, attempts: int, rng: random.Random, say) -> None:
    user_model = get_user_model()
    with transaction.atomic():
        program = Program.objects.create(name="Bench Residency", slug=BENCH_SLUG)
        # "!" is Django's unusable-password marker: nobody can log in as these.
        user_model.objects.bulk_create(
            user_model(username=f"bench{n:04d}", password="!")  # noqa: S106
            for n in range(residents)
        )
        users = list(user_model.objects.filter(username__startswith="bench").order_by("pk"))
        Membership.objects.bulk_create(
            Membership(user=u, program=program, role=Role.RESIDENT) for u in users
        )
        cohorts = [Cohort.objects.create(program=program, name=f"PGY-{n + 1}") for n in range(3)]
        CohortMember.objects.bulk_create(
            CohortMember(cohort=cohorts[i % 3], user=u) for i, u in enumerate(users)
        )
        # Everyone joined before their first attempt (up to 180 days ago), so the
        # program counts every seeded attempt (scoring.access.program_scores).
        joined = timezone.now() - timedelta(days=181)
        Membership.objects.filter(program=program).update(created=joined)
        CohortMember.objects.filter(cohort__program=program).update(added_at=joined)
        cases = list(
            Case.objects.filter(program__isnull=True, published__isnull=False).select_related(
                "published__algorithm_version"
            )
        )
        now = timezone.now()
        assignments = []
        for cohort in cohorts:
            a = Assignment.objects.create(
                cohort=cohort,
                title="Foot calcification",
                opens_at=now - timedelta(days=120),
                due_at=now - timedelta(days=30),
                counts="best",
            )
            a.cases.set(cases)
            assignments.append(a)
    paths = {c.pk: _paths(c) for c in cases}
    cohort_of = {u.pk: assignments[i % 3] for i, u in enumerate(users)}
    say(f"Seeding {attempts} attempts by {residents} residents over {len(cases)} cases…")
    done = 0
    while done < attempts:
        size = min(BATCH, attempts - done)
        _batch(size, users, cases, paths, cohort_of, rng, now)
        done += size
        if done % 20_000 == 0 or done == attempts:
            say(f"  {done} attempts")
    # The rows above were inserted directly, not through attempt_score, which
    # keeps the program pages' summaries: count them once, as after a bulk load.
    written = summaries.rebuild()
    say(f"Summaries rebuilt: {', '.join(f'{name} {n}' for name, n in written.items())} rows.")
    # Statistics for the planner, as a database that grew over months has them
    # (autovacuum's ANALYZE would come later than the bench).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@transaction.atomic
def _batch(size, users, cases, paths, cohort_of, rng, now) -> None:
    planned = []
    for _ in range(size):
        user = rng.choice(users)
        case = rng.choice(cases)
        path = rng.choice(paths[case.pk])
        finished = now - timedelta(minutes=rng.randrange(0, 180 * 24 * 60))
        assignment = cohort_of[user.pk] if rng.random() < 0.5 else None
        planned.append((user, case, path, finished, assignment))
    created = Attempt.objects.bulk_create(
        Attempt(
            user=user,
            case_version=case.published,
            mode=Mode.PRACTICE,
            finished_at=finished,
            assignment=assignment,
        )
        for user, case, path, finished, assignment in planned
    )
    scores = Score.objects.bulk_create(
        Score(
            attempt=attempt,
            rubric_version=path["result"]["rubric_version"],
            score=path["score"],
            critical_errors=path["critical"],
            result=path["result"],
        )
        for attempt, (_, _, path, _, _) in zip(created, planned, strict=True)
    )
    # Every seeded resident joined the program and one cohort before playing,
    # and plays bundled cases: both count every score (scoring.access.counted_by).
    CountedScore.objects.bulk_create(
        CountedScore(
            score=score,
            program_id=cohort_of[user.pk].cohort.program_id,
            cohort_id=cohort,
            finished_at=finished,
        )
        for score, (user, _, _, finished, _) in zip(scores, planned, strict=True)
        for cohort in (None, cohort_of[user.pk].cohort_id)
    )
    StepOutcome.objects.bulk_create(
        StepOutcome(
            score=score,
            algorithm_id=case.published.algorithm_version.algorithm_id,
            step=step,
            title=title,
            verdict=verdict,
            credit=credit,
        )
        for score, (_, case, path, _, _) in zip(scores, planned, strict=True)
        for step, title, verdict, credit in path["steps"]
    )
    outcomes = DecisionOutcome.objects.bulk_create(
        DecisionOutcome(
            score=score,
            case_version=case.published,
            seq=d.seq,
            stage=d.stage,
            scored=d.scored,
            correct=d.correct,
        )
        for score, (_, case, path, _, _) in zip(scores, planned, strict=True)
        for d in path["decisions"]
    )
    decisions = [d for _, _, path, _, _ in planned for d in path["decisions"]]
    OptionPick.objects.bulk_create(
        OptionPick(
            decision=outcome, option=p.option, verdict=p.verdict, severity=p.severity, harm=p.harm
        )
        for outcome, d in zip(outcomes, decisions, strict=True)
        for p in d.picks
    )
