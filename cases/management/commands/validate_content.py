from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from cases import soundness
from cases.images import ImageSource
from cases.schema import Algorithm, Case
from cases.services import stored_context
from cases.validate import Context, Problem, Report, read_sources, validate


class Command(BaseCommand):
    help = (
        "Check content files (or folders of them) and print every problem as "
        "file:line: field: message, then notes worth a look before review."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="YAML files or folders")

    def handle(self, *args, paths: list[str], **options):
        sources, unreadable = read_sources(paths)
        if not sources and not unreadable:
            raise CommandError(f"no .yaml files in {' '.join(paths)}")
        # A case's images: stored already, or in the folder images/ beside its YAML.
        images = ImageSource.beside(source.name for source in sources)
        try:
            context = stored_context(images=images)  # may cite or pin what is imported
        except DatabaseError:
            context = Context(image_problem=images.problem)  # the files on their own
        report = validate(sources, context)
        report.problems = sorted([*unreadable, *report.problems])
        for problem in report.problems:
            self.stdout.write(str(problem))
        if not report.ok:
            raise CommandError(report.summary())
        for note in notes(report, context):
            self.stdout.write(note)
        self.stdout.write(report.summary())


def notes(report: Report, context: Context) -> list[str]:
    """What to look at before review in valid files: facts a case never reveals,
    endings the scores contradict, and what no case of an algorithm exercises."""
    algorithms = {a.slug: (s, a) for s, a in report.documents(Algorithm)}
    found = []
    by_algorithm: dict[str, list[Case]] = {}
    for source, case in report.documents(Case):
        batch = algorithms.get(case.algorithm)
        algorithm = batch[1] if batch and not case.algorithm_version else None
        algorithm = algorithm or context.algorithm(case.algorithm, case.algorithm_version)
        found += [_note(source, p, m) for p, m in soundness.case_notes(algorithm, case)]
        by_algorithm.setdefault(case.algorithm, []).append(case)
    for slug, cases in by_algorithm.items():
        if slug in algorithms:
            source, algorithm = algorithms[slug]
            found += [_note(source, p, m) for p, m in soundness.coverage_notes(algorithm, cases)]
    return [f"{p.file}:{p.line}: note: {p.field}: {p.message}" for p in sorted(found)]


def _note(source, path, message: str) -> Problem:
    return source.problem(path, message)
