"""Scores and what is aggregated from them, cohorts and assignments, xAPI and LTI."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from scoring.rubric import StepStatus
from simulator.accounts.models import Program


class Mode(models.TextChoices):
    """When the learner sees the verdicts: after each decision, or only in the
    debrief. An attempt is played in one; an assignment may force it."""

    PRACTICE = "practice", "Practice — feedback after each decision"
    ASSESSMENT = "assessment", "Assessment — feedback in the debrief only"


class Score(models.Model):
    """An attempt's score under one version of the rubric.

    Rescoring under a new rubric adds a row and keeps the old one, so a score
    once shown to a learner is never silently changed.
    """

    attempt = models.ForeignKey(
        "simulator.Attempt", on_delete=models.CASCADE, related_name="scores"
    )
    rubric_version = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField()
    critical_errors = models.PositiveSmallIntegerField()
    result = models.JSONField()  # scoring.rubric.Result.to_dict()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["attempt", "rubric_version"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "rubric_version"], name="score_per_rubric")
        ]

    def __str__(self) -> str:
        return f"{self.score} for attempt {self.attempt_id} (rubric v{self.rubric_version})"


class CountedScore(models.Model):
    """One program (and, with ``cohort``, one of its cohorts) that counts a
    score: written with the score, from who the resident was when the
    attempt finished (scoring.access.counted_by), so every program page
    joins one indexed table instead of re-deriving enrolment per row.
    ``finished_at`` is the attempt's, copied so that a page's newest attempts
    are the first rows of one index."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="counted_by")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(
        "scoring.Cohort", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    finished_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["program", "cohort", "finished_at", "score"],
                name="counted_score_scope_finished",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["score", "program"],
                condition=models.Q(cohort__isnull=True),
                name="counted_score_once_per_program",
            ),
            models.UniqueConstraint(
                fields=["score", "cohort"],
                condition=models.Q(cohort__isnull=False),
                name="counted_score_once_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"score {self.score_id} counted by program {self.program_id}"


class StepOutcome(models.Model):
    """One algorithm step's verdict in one score: a row per step, so mastery
    ("which steps does this resident miss?") is an aggregate query."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="step_outcomes")
    algorithm = models.ForeignKey("cases.Algorithm", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(max_length=80)
    title = models.CharField(max_length=200)
    verdict = models.CharField(max_length=20)
    credit = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["algorithm", "step"], name="step_outcome_step")]

    def __str__(self) -> str:
        return f"{self.step}: {self.verdict}"

    @property
    def verdict_label(self) -> str:
        return StepStatus(self.verdict).label


# --- cohorts and assignments ---------------------------------------------------------


class Cohort(models.Model):
    """A group of a program's residents followed together, e.g. "PGY-1 2026"."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="cohort_name_per_program")
        ]

    def __str__(self) -> str:
        return self.name


class CohortMember(models.Model):
    """A resident's time on a cohort's roster.

    Removal sets ``removed_at`` and keeps the row, so a roster's history stays
    and the resident's attempts are never touched. Re-adding starts a new row.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                condition=models.Q(removed_at__isnull=True),
                name="cohort_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.cohort}"


class Invitation(models.Model):
    """A one-use link that puts whoever accepts it on a cohort as a resident.

    How a program reaches a person it has no account for: the director sends
    the link, the person signs in and accepts. Only a hash of the token is
    kept, so the database cannot be read for working links.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.cohort}"


class Counts(models.TextChoices):
    FIRST = "first", "First attempt"
    BEST = "best", "Best attempt"
    LAST = "last", "Last attempt"


class Assignment(models.Model):
    """A set of cases a cohort is asked to play between two dates.

    Attempts started from an assignment point back at it and are played in
    its mode; which of a resident's finished attempts at a case counts is
    ``counts`` (see scoring.assignments).
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=200)
    cases = models.ManyToManyField("cases.Case", related_name="assignments")
    opens_at = models.DateTimeField()
    due_at = models.DateTimeField()
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.PRACTICE)
    pass_mark = models.PositiveSmallIntegerField(default=70)
    counts = models.CharField(max_length=10, choices=Counts.choices, default=Counts.BEST)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_at__gt=models.F("opens_at")),
                name="assignment_due_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(pass_mark__lte=100), name="assignment_pass_mark_percent"
            ),
            models.CheckConstraint(
                condition=models.Q(counts__in=Counts.values), name="assignment_counts_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- item analysis -------------------------------------------------------------------


class DecisionOutcome(models.Model):
    """One decision of one scored attempt, denormalized from the score's
    action verdicts so item analysis is a handful of aggregate queries.

    ``correct`` is True when every action the chosen options performed was
    indicated (a choice that performs no action is neither right nor wrong:
    ``scored`` is False for it).
    """

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="decisions")
    case_version = models.ForeignKey(
        "cases.CaseVersion", on_delete=models.CASCADE, related_name="+"
    )
    seq = models.PositiveIntegerField()
    stage = models.CharField(max_length=80)
    scored = models.BooleanField()
    correct = models.BooleanField()

    class Meta:
        ordering = ["score", "seq"]
        indexes = [models.Index(fields=["case_version", "stage"], name="decision_outcome_item")]
        constraints = [
            models.UniqueConstraint(fields=["score", "seq"], name="decision_outcome_once")
        ]

    def __str__(self) -> str:
        return f"{self.stage} #{self.seq}: {'correct' if self.correct else 'not correct'}"


class OptionPick(models.Model):
    """One option picked at one decision, with the worst verdict on its actions."""

    decision = models.ForeignKey(DecisionOutcome, on_delete=models.CASCADE, related_name="picks")
    option = models.CharField(max_length=80)
    # "indicated", "not_indicated", "harmful", or "" when the option performs no action.
    verdict = models.CharField(max_length=20, blank=True)
    severity = models.CharField(max_length=20, blank=True)
    harm = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return f"{self.option}: {self.verdict or 'no action'}"


# --- summaries: what the program pages read ---------------------------------------------
#
# Kept by scoring/summaries.py in the transaction that stores each score (and
# taken back when a score is deleted); `manage.py rebuild_summaries` recounts
# them from the rows above. Each is keyed by rubric version, as program_scores
# counts one rubric at a time. Where a key has a cohort, NULL means the whole
# program; the unique index reads it as 0 so that an upsert finds the row.


def _whole_program_or_cohort() -> Coalesce:
    return Coalesce("cohort", models.Value(0))


class ScoreTally(models.Model):
    """How many counted scores, and their sum, per (program or cohort, rubric
    version, week the attempt finished, score decile, any critical error):
    the dashboard's totals, distribution and trend."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rubric_version = models.PositiveSmallIntegerField()
    week = models.DateField()  # the Monday (UTC) of the week the attempt finished
    bin = models.PositiveSmallIntegerField()  # 0-9: score // 10, with 100 in 9
    critical = models.BooleanField()  # the score has a critical error
    attempts = models.BigIntegerField()
    score_sum = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "program",
                _whole_program_or_cohort(),
                "rubric_version",
                "week",
                "bin",
                "critical",
                name="score_tally_key",
            )
        ]


class HarmTally(models.Model):
    """Critical options picked, and the counted scores that picked one, per
    harm: the dashboard's critical errors."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(
        Cohort, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    rubric_version = models.PositiveSmallIntegerField()
    harm = models.CharField(max_length=80)
    picks = models.BigIntegerField()
    attempts = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "program",
                _whole_program_or_cohort(),
                "rubric_version",
                "harm",
                name="harm_tally_key",
            )
        ]


class StepTally(models.Model):
    """One resident's verdicts on one algorithm step, over the scores a
    cohort counts: a cell of the mastery grid. ``first_outcome`` (the
    smallest StepOutcome id) orders the columns, ``title`` is the greatest
    title seen, as the grid's aggregate query had them."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    rubric_version = models.PositiveSmallIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    algorithm = models.ForeignKey("cases.Algorithm", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=80)
    outcomes = models.BigIntegerField()
    missed = models.BigIntegerField()
    title = models.CharField(max_length=200)
    first_outcome = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "rubric_version", "user", "algorithm", "step"],
                name="step_tally_key",
            )
        ]


class DecisionTally(models.Model):
    """Decisions of the scores a program counts, per (case version, stage,
    whether it was the attempt's first decision, scored, correct, the
    attempt's score): item analysis's difficulty, discrimination and counts."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    rubric_version = models.PositiveSmallIntegerField()
    case_version = models.ForeignKey(
        "cases.CaseVersion", on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=80)
    opening = models.BooleanField()  # the attempt's first decision (seq 0): one per attempt
    scored = models.BooleanField()
    correct = models.BooleanField()
    score = models.PositiveSmallIntegerField()
    decisions = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "program",
                    "rubric_version",
                    "case_version",
                    "stage",
                    "opening",
                    "scored",
                    "correct",
                    "score",
                ],
                name="decision_tally_key",
            )
        ]


class PickTally(models.Model):
    """Options picked at each stage of a case version, by their verdict, over
    the scores a program counts: item analysis's option counts."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    rubric_version = models.PositiveSmallIntegerField()
    case_version = models.ForeignKey(
        "cases.CaseVersion", on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(max_length=80)
    option = models.CharField(max_length=80)
    verdict = models.CharField(max_length=20, blank=True)
    picks = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["program", "rubric_version", "case_version", "stage", "option", "verdict"],
                name="pick_tally_key",
            )
        ]


class CountedAttempt(models.Model):
    """For each (assignment, resident, case, rubric version) and each rule an
    assignment may have (``counts``: first, best or last), the score that
    rule picks among the resident's attempts made for the assignment. All
    three are kept, so a director changing the rule changes nothing here;
    whether the resident is still on the cohort is asked when read."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    rubric_version = models.PositiveSmallIntegerField()
    counts = models.CharField(max_length=10, choices=Counts.choices)
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="+")
    attempt = models.ForeignKey("simulator.Attempt", on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()  # the score
    critical = models.PositiveSmallIntegerField()  # its critical errors
    finished_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "user", "case", "rubric_version", "counts"],
                name="counted_attempt_key",
            )
        ]


# --- xAPI ------------------------------------------------------------------------------


class XapiStatement(models.Model):
    """An outbox of xAPI statements, written in the transaction that stores a
    score and sent to the LRS by ``manage.py send_xapi`` until it takes them."""

    statement_id = models.UUIDField(unique=True)
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="xapi_statements")
    statement = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    tries = models.PositiveIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "next_try_at"], name="xapi_pending")]

    def __str__(self) -> str:
        return f"xAPI {self.statement_id} ({'sent' if self.sent_at else 'pending'})"


# --- LTI 1.3 ---------------------------------------------------------------------------


class LtiPlatform(models.Model):
    """A learning-management system registered with CasePath for a program."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="lti_platforms")
    name = models.CharField(max_length=200)
    issuer = models.URLField(max_length=300)
    client_id = models.CharField(max_length=200)
    auth_login_url = models.URLField(max_length=300)
    auth_token_url = models.URLField(max_length=300)
    key_set_url = models.URLField(max_length=300)
    # Hosts besides the issuer's that CasePath may contact for this platform
    # (Canvas cloud's endpoints are on sso.canvaslms.com, its line items on the
    # school's host). Only a site administrator sets them, in the admin, which
    # checks each one: an instructor choosing them could aim the server at any
    # machine.
    approved_hosts = models.TextField(
        blank=True,
        default="",
        help_text=(
            "Further hosts CasePath may contact for this platform, one host name per line "
            "(for example sso.canvaslms.com): no scheme, port, path or wildcard. Each must "
            "match exactly; URLs must still be https and resolve to public addresses."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The platform's public key set as last fetched, and when: launches check
    # id_tokens against this copy, which every app server shares, instead of
    # fetching the key set each time (see scoring.lti).
    key_set = models.JSONField(null=True, blank=True, editable=False)
    key_set_fetched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_client")
        ]

    def __str__(self) -> str:
        return self.name

    def approved_host_names(self) -> tuple[str, ...]:
        """The approved hosts in the order entered, in lower case: host names
        compare case-insensitively."""
        return tuple(self.approved_hosts.lower().split())


class LtiDeployment(models.Model):
    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lti_deployment_once"
            )
        ]

    def __str__(self) -> str:
        return self.deployment_id


class LtiNonce(models.Model):
    """Nonces already seen in launches: a replayed id_token is refused."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=255)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "nonce"], name="lti_nonce_once")]


class LtiLineItem(models.Model):
    """Where to send scores back: the platform's line item for one launch's
    resource link, remembered per attempt started from it."""

    deployment = models.ForeignKey(LtiDeployment, on_delete=models.CASCADE, related_name="+")
    attempt = models.OneToOneField(
        "simulator.Attempt", on_delete=models.CASCADE, related_name="lti_line_item"
    )
    lineitem_url = models.URLField(max_length=500)
    lti_user_id = models.CharField(max_length=255)
    score_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.lineitem_url


class LtiUser(models.Model):
    """Which CasePath account an LMS user (platform, ``sub``) signs in as."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="+")
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["platform", "sub"], name="lti_user_once")]
