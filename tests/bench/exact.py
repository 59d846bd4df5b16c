"""`make bench`: the exact explorer's rows (docs/operations.md, "Exact explorer").

In-process, no server and no database: ``cases.explorer.prove`` on each bundled
case with its algorithm, then on a generated 200-stage case with a pick-several
of 11 options at every tenth decision (``casegen.several_case_document``). Each
figure is the best of 3 runs, with the explorer's remembered proofs forgotten
before each, and is also given as a ratio to a baseline measured in the same
run on the same case: replaying and scoring one path (the best path found),
the unit of work the explorer saves by searching states instead of paths.

The target, within 1 s per bundled case, is reported met or missed; a miss
never fails the bench.

    python -m tests.bench.exact             # just these rows (also run by tests.bench.run)
    python -m tests.bench.exact --profile   # cProfile of prove() on the generated case
    python -m tests.bench.exact --profile diabetic-ulcer-osteomyelitis   # or a bundled case
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cases import explorer
from cases.schema import Algorithm, Case
from cases.yamlmap import load
from scoring import rubric
from simulator import engine
from tests.bench import casegen, stack

RUNS = 3
BASELINE_RUNS = 20
TARGET_SECONDS = 1.0  # per bundled case
GENERATED_STAGES = 200


@dataclass(frozen=True)
class Row:
    name: str
    decisions: int
    widest: int  # most choices at one decision
    seconds: float  # prove(), best of RUNS
    baseline: float  # replay and score the best path once, best of BASELINE_RUNS
    situations: int
    best: int
    worst: int
    replayed: bool  # the best path replays to the best score
    target: float | None  # seconds, or None for a row without one

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.seconds <= self.target


def forget() -> None:
    """Drop the explorer's remembered proofs, so every run proves from scratch."""
    for value in vars(explorer).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def _best_of(runs: int, fn: Callable[[], object], *, fresh: bool) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        if fresh:
            forget()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def _score(algorithm: Algorithm, case: Case, path: tuple[tuple[str, ...], ...]) -> int:
    state = engine.replay(case, path)
    assert state.finished, f"{case.slug}: the best path does not finish the case"  # noqa: S101
    return rubric.score(algorithm, case, state.points, state.taken).score


def measure(name: str, algorithm: Algorithm, case: Case, target: float | None) -> Row:
    seconds, proof = _best_of(RUNS, lambda: explorer.prove(algorithm, case), fresh=True)
    assert isinstance(proof, explorer.Proof)  # noqa: S101
    path = proof.best.path
    baseline, score = _best_of(BASELINE_RUNS, lambda: _score(algorithm, case, path), fresh=False)
    decisions = [s.decision for s in case.stages.values() if s.decision is not None]
    return Row(
        name=name,
        decisions=len(decisions),
        widest=max(sum(1 for _ in engine.possible_choices(d)) for d in decisions),
        seconds=seconds,
        baseline=baseline,
        situations=proof.situations,
        best=proof.best.score,
        worst=proof.worst.score,
        replayed=score == proof.best.score,
        target=target,
    )


def _algorithms() -> dict[str, Algorithm]:
    found = {}
    for file in sorted(casegen.CONTENT.glob("*/algorithm.yaml")):
        algorithm = Algorithm.model_validate(load(file.read_text(encoding="utf-8")).data)
        found[algorithm.slug] = algorithm
    return found


def generated_case() -> Case:
    document = casegen.keyed(casegen.several_case_document(GENERATED_STAGES))
    return Case.model_validate(document)


def rows(say: Callable[[str], None] = print) -> list[Row]:
    algorithms = _algorithms()
    measured = []
    for file in sorted(casegen.CONTENT.glob("*/cases/*.yaml")):
        case = Case.model_validate(load(file.read_text(encoding="utf-8")).data)
        row = measure(case.slug, algorithms[case.algorithm], case, TARGET_SECONDS)
        say(f"   {row.name:<48} {row.seconds:7.3f} s  {row.situations:7d} situations")
        measured.append(row)
    say(f"   generating the {GENERATED_STAGES}-stage pick-several case (keyed by the explorer)")
    case = generated_case()
    row = measure(
        f"generated: {GENERATED_STAGES} stages, pick-several of {len(casegen.SEVERAL)} every 10th",
        algorithms[case.algorithm],
        case,
        None,
    )
    say(f"   {row.name:<48} {row.seconds:7.3f} s  {row.situations:7d} situations")
    measured.append(row)
    return measured


def table(measured: list[Row]) -> tuple[str, list[str]]:
    """The report's section, and the targets missed (reported, never failing)."""
    load1, load5, _ = os.getloadavg()
    lines = [
        "### Exact explorer",
        "",
        f"`cases.explorer.prove(algorithm, case)`, in-process, best of {RUNS} runs "
        f"(load average {load1:.2f}, {load5:.2f} over 5 min; {os.cpu_count()} cores). "
        "Baseline: replaying and scoring the case's best path once, same run.",
        "",
        "| case | decisions | widest decision (choices) | prove() s | × one path | situations "
        "| best | worst | best = 100 | best path replays to it |",
        "|---|--:|--:|--:|--:|--:|--:|--:|---|---|",
    ]
    for r in measured:
        ratio = r.seconds / r.baseline if r.baseline else 0.0
        lines.append(
            f"| {r.name} | {r.decisions} | {r.widest} | {r.seconds:.3f} | {ratio:,.0f} "
            f"| {r.situations} | {r.best} | {r.worst} | {'yes' if r.best == 100 else 'no'} "
            f"| {'yes' if r.replayed else '**no**'} |"
        )
    missed = []
    lines += ["", "| target (reported, never failing) | measured | met |", "|---|--:|---|"]
    for r in measured:
        if r.met is None:
            continue
        lines.append(
            f"| {r.name}: prove() within {r.target:g} s | {r.seconds:.3f} s "
            f"| {'yes' if r.met else '**no**'} |"
        )
        if not r.met:
            missed.append(f"explorer: {r.name} proved in {r.seconds:.3f} s (target {r.target:g} s)")
    return "\n".join(lines), missed


def _bundled(slug: str) -> Case:
    for file in casegen.CONTENT.glob(f"*/cases/{slug}.yaml"):
        return Case.model_validate(load(file.read_text(encoding="utf-8")).data)
    raise SystemExit(f"no bundled case '{slug}'")


def profile(slug: str = "generated", top: int = 25) -> None:
    """cProfile of one prove(): the top entries by own time, then by cumulative time."""
    case = generated_case() if slug == "generated" else _bundled(slug)
    algorithm = _algorithms()[case.algorithm]
    forget()
    profiler = cProfile.Profile()
    profiler.enable()
    explorer.prove(algorithm, case)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--profile",
        nargs="?",
        const="generated",
        metavar="CASE",
        help="cProfile prove() on a bundled case's slug (default: the generated case)",
    )
    parser.add_argument("--out", type=Path, default=stack.VAR / "explorer.md")
    args = parser.parse_args(argv)
    if args.profile:
        profile(args.profile)
        return 0
    print("== exact explorer: prove() on each case", flush=True)
    text, missed = table(rows())
    print("\n" + text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(f"\n(written to {args.out})")
    if missed:
        print("\nTargets missed (reported, not failing):\n  " + "\n  ".join(missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
