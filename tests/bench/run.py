"""`make bench`: how many residents can CasePath carry? (docs/operations.md)

For each database asked for, on a fresh database: seed it (with the Bench
Residency's 300 residents and 100,000 attempts), time the program pages
in-process against a plain query (tests/bench/programs.py, `manage.py
bench_programs`: each within 3×), then start the production-like server
(gunicorn, 2 sync workers, DEBUG off, tests.bench.settings for the baseline
views) on loopback, drive each row with simulated users and print a table whose
figures are ratios to three baselines measured in the same run on the same
server; run the choice and stage rows again with the fragment cache every
server shares (FRAGMENT_CACHE=database); then, on one worker, find how many
residents one core carries (tests/bench/capacity.py). Exits 1 when a target is
missed. First, in-process, the exact explorer's rows (tests/bench/exact.py;
their target is reported, never failing).

    python -m tests.bench.run --db sqlite --db postgres
    python -m tests.bench.run --no-load --no-explorer   # only the program pages
    python -m tests.bench.exact                         # only the explorer's rows
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import random
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import urllib3

from tests.bench import capacity, casegen, exact, load, programs, stack
from tests.bench.load import Client, Row, expect
from tests.bench.residents import Attempt, Script, scripts

# The targets, as ratios to the baselines of the same run.
CHOICE_VS_INSERT_RPS = 0.50
STAGE_VS_READ_RPS = 0.50
CHOICE_P99_VS_INSERT_P99 = 3.0


@dataclass
class Resident:
    client: Client
    attempts: list[Attempt] = field(default_factory=list)
    finished: list[Attempt] = field(default_factory=list)

    @property
    def current(self) -> Attempt | None:
        return next((a for a in self.attempts if not a.finished), None)


def start_attempt(client: Client, script: Script) -> Attempt:
    response = client.post(f"/cases/{script.slug}/start/", fields={"mode": "practice"})
    expect(response, 302)
    match = re.search(r"/attempts/(\d+)/$", response.headers.get("Location", ""))
    if not match:
        raise load.Failed(
            f"starting {script.slug} redirected to {response.headers.get('Location')}"
        )
    return Attempt(int(match.group(1)), script)


def choose(resident: Resident, attempt: Attempt) -> load.Response:
    """Post the next decision of the reference path as htmx does; check it was recorded."""
    response = resident.client.post(
        f"/attempts/{attempt.pk}/choose/",
        fields=attempt.script.fields(attempt.seq),
        headers={"HX-Request": "true"},
    )
    expect(response, 200, 'id="stage"')
    if "already recorded" in response.text:
        raise load.Failed(f"attempt {attempt.pk} decision {attempt.seq} was not recorded")
    attempt.acknowledged.append(attempt.seq)
    attempt.seq += 1
    if attempt.finished:
        resident.finished.append(attempt)
    return response


def choice_steps(resident: Resident) -> Callable[[], load.Step | None]:
    def next_step() -> load.Step | None:
        attempt = resident.current
        return None if attempt is None else (lambda: choose(resident, attempt))

    return next_step


def cycle(client: Client, paths: list[str], status: int, contains: str | None = None):
    urls = itertools.cycle(paths)

    def next_step() -> load.Step:
        url = next(urls)
        return lambda: expect(client.get(url), status, contains)

    return next_step


def bench(
    kind: str, args: argparse.Namespace
) -> tuple[list[Row], dict | None, list[capacity.Step]]:
    """The load's rows, the program pages' figures (None without seed_bench) and
    the residents-per-core steps."""
    database = stack.Database(kind, f"casepath_bench_{kind}" if kind == "postgres" else "bench")
    print(f"\n== {kind}: preparing a fresh database", flush=True)
    database.create()
    env = stack.environment(database)
    try:
        began = time.monotonic()
        info = stack.prepare(env, args.users, seed_bench=not args.no_seed_bench)
        print(f"   seeded in {time.monotonic() - began:.0f} s", flush=True)
        pages = None
        if not args.no_seed_bench:
            # In-process, before the server starts: nothing else runs beside them.
            print("   timing the program pages (manage.py bench_programs)", flush=True)
            pages = json.loads(stack.manage(env, "bench_programs", "--json").splitlines()[-1])
        if args.no_load:
            return [], pages, []
        with serving(env, args.port, f"bench-{kind}") as server:
            rows, residents = drive(server, info, args)
        # The same rows with the fragment cache every server shares (a table).
        shared = env | {"FRAGMENT_CACHE": "database"}
        with serving(shared, args.port, f"bench-{kind}-shared-cache") as server:
            rows += shared_cache_rows(server, residents, args)
        with serving(env, args.port, f"bench-{kind}-one-worker", workers=1) as server:
            steps = per_core(residents, rows, args)
        return rows, pages, steps
    finally:
        if not args.keep:
            database.drop()


@contextlib.contextmanager
def serving(env: dict[str, str], port: int, name: str, *, workers: int = 2):
    server = stack.Server(env, port, workers=workers, name=name)
    try:
        yield server
    finally:
        server.stop()


def timed_row(
    rows: list[Row],
    server: stack.Server,
    args: argparse.Namespace,
    name: str,
    users,
    *,
    heavy: bool = False,
) -> Row:
    """Run one row against ``server``, print it and add it to ``rows``."""
    spy = spy_start(server.pid, name, args) if args.spy and args.spy in name else None
    result = load.run_row(
        name,
        users,
        seconds=args.heavy_seconds if heavy else args.seconds,
        max_requests=args.heavy_requests if heavy else args.max_requests,
        rss=lambda: load.max_worker_rss(server.pid),
    )
    rows.append(result)
    if spy is not None:
        spy_report(spy)
    print(
        f"   {name:<28} {result.rps:8.1f} req/s  p50 {result.percentile(50) * 1000:7.1f} ms"
        f"  p99 {result.percentile(99) * 1000:7.1f} ms  errors {result.errors}",
        flush=True,
    )
    for error in result.first_errors:
        print(f"      {error}", flush=True)
    return result


def choices_left(resident: Resident) -> int:
    return sum(len(a.script.choices) - a.seq for a in resident.attempts if not a.finished)


def top_up(residents: list[Resident], choices: int) -> None:
    """Start attempts (untimed, a thread per resident) until every resident has
    ``choices`` choices left to make."""
    cases = list(scripts().values())

    def fill(index: int, resident: Resident) -> None:
        rng = random.Random(index * 7919 + len(resident.attempts))
        while choices_left(resident) < choices:
            resident.attempts.append(start_attempt(resident.client, rng.choice(cases)))

    with ThreadPoolExecutor(max_workers=len(residents)) as pool:
        list(pool.map(fill, range(len(residents)), residents))


def warm_up(residents: list[Resident]) -> None:
    """A stage page and each baseline once per resident, untimed: a fresh worker
    parses the bundled documents and fills its caches before it is timed."""
    for resident in residents:
        expect(resident.client.get(f"/attempts/{resident.current.pk}/"), 200)
        expect(resident.client.get("/bench/read"), 200)
        expect(resident.client.post("/bench/insert", fields={"note": "warm"}), 200)


def drive(server: stack.Server, info: dict, args: argparse.Namespace):
    """Every row on the main server; the rows and the logged-in residents."""
    port = server.port
    password = info["password"]
    rows: list[Row] = []

    def row(name: str, users, *, heavy: bool = False) -> Row:
        return timed_row(rows, server, args, name, users, heavy=heavy)

    print(f"   logging in {args.users} residents", flush=True)
    residents = [Resident(Client("127.0.0.1", port)) for _ in range(args.users)]
    load.run_row(
        "login",
        [
            _once(lambda r=r, u=u: r.client.login(u, password))
            for r, u in zip(residents, info["residents"], strict=False)
        ],
        seconds=120,
        max_requests=args.users,
    )
    for resident in residents:
        if "sessionid" not in resident.client.cookies:
            raise SystemExit("a simulated resident could not log in; see the gunicorn log")
    # Enough choices that no resident runs out during the choice row.
    top_up(residents, args.choices)
    warm_up(residents)

    row("baseline: hello", [cycle(r.client, ["/bench/hello"], 200, "hello") for r in residents])
    row(
        "baseline: read one row",
        [cycle(r.client, ["/bench/read"], 200, "Row 1") for r in residents],
    )
    row(
        "baseline: insert one row",
        [_insert(r.client) for r in residents],
    )
    row("choice POST (htmx)", [choice_steps(r) for r in residents])
    row(
        "stage page GET",
        [
            cycle(r.client, [f"/attempts/{(r.current or r.attempts[-1]).pk}/"], 200, 'id="stage"')
            for r in residents
        ],
    )
    row(
        "debrief",
        [
            cycle(
                r.client,
                [f"/attempts/{a.pk}/debrief/" for a in (r.finished or r.attempts)[:5]],
                200,
            )
            for r in residents
        ],
    )

    if info.get("dashboard"):
        directors = []
        for _ in range(args.heavy_users):
            client = Client("127.0.0.1", port)
            client.login(info["director"], password)
            directors.append(client)
        label = f"{info.get('residents_in_program', '?')} residents, {info.get('attempts_in_db', '?')} attempts"
        row(
            f"program dashboard ({label})",
            [cycle(c, [info["dashboard"]], 200) for c in directors],
            heavy=True,
        )
        if info.get("csv"):
            row(
                "CSV export of the program",
                [cycle(c, [info["csv"]], 200) for c in directors],
                heavy=True,
            )
    else:
        for name in ("program dashboard", "CSV export of the program"):
            rows.append(
                Row(
                    name,
                    0,
                    skipped="seed_bench not run (--no-seed-bench, or the command is missing)",
                )
            )

    instructors = []
    for _ in range(args.heavy_users):
        client = Client("127.0.0.1", port)
        client.login(info["instructor"], password)
        instructors.append(client)
    if instructors[0].get("/authoring/").status == 200:
        imported: list[str] = []
        counter = itertools.count()

        def importer(client: Client):
            def next_step() -> load.Step:
                def step() -> load.Response:
                    slug = f"bench-case-{next(counter)}"
                    text = casegen.case_yaml(200, slug).encode()
                    body, content_type = urllib3.encode_multipart_formdata(
                        {
                            "import-program": str(info["program_id"]),
                            "import-file": (f"{slug}.yaml", text, "application/yaml"),
                        }
                    )
                    response = client.post(
                        "/authoring/import/", body=body, headers={"Content-Type": content_type}
                    )
                    expect(response, 302)
                    imported.append(slug)
                    return response

                return step

            return next_step

        row("case import (200 stages)", [importer(c) for c in instructors], heavy=True)
        if imported:
            row(
                "path explorer (200 stages)",
                [cycle(c, [f"/authoring/{imported[0]}/paths/"], 200) for c in instructors],
                heavy=True,
            )
    else:
        for name in ("case import (200 stages)", "path explorer (200 stages)"):
            rows.append(Row(name, 0, skipped="the authoring pages are not in this tree yet"))
    return rows, residents


def shared_cache_rows(
    server: stack.Server, residents: list[Resident], args: argparse.Namespace
) -> list[Row]:
    """The choice and stage rows again, with FRAGMENT_CACHE=database: one
    cache table every server reads, instead of each worker's memory."""
    rows: list[Row] = []
    top_up(residents, args.choices)
    warm_up(residents)
    timed_row(rows, server, args, SHARED_CHOICE, [choice_steps(r) for r in residents])
    timed_row(
        rows,
        server,
        args,
        "stage page GET, shared fragment cache",
        [cycle(r.client, [f"/attempts/{r.current.pk}/"], 200, 'id="stage"') for r in residents],
    )
    return rows


def per_core(
    residents: list[Resident], rows: list[Row], args: argparse.Namespace
) -> list[capacity.Step]:
    """Residents per core (tests/bench/capacity.py) on a server of one worker,
    starting well below what the choice row suggests one worker can do."""
    print("   residents per core: one worker, one choice every 20 s each", flush=True)
    top_up(residents, args.choices)
    warm_up(residents)
    choice_rps = next(r.rps for r in rows if r.name == "choice POST (htmx)")
    return capacity.ramp(
        residents,
        lambda r: choose(r, r.current),
        lambda n: top_up(residents, n),
        first_rate=max(2.0, 0.35 * choice_rps / 2),
        seconds=args.core_seconds,
        say=lambda text: print(text, flush=True),
    )


def spy_start(master: int, name: str, args: argparse.Namespace):
    """py-spy on one worker for the row's length: where its time goes, in-process."""
    import subprocess

    pid = load.worker_pids(master)[0]
    out = stack.VAR / f"py-spy-{re.sub(r'[^a-z]+', '-', name.lower()).strip('-')}.txt"
    process = subprocess.Popen(  # noqa: S603 - py-spy from our own venv
        [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(args.seconds)),
            "--format",
            "raw",
            "--rate",
            "250",
            "--output",
            str(out),
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, out


def spy_report(spy) -> None:
    """Inclusive share of the samples for the frames of our own code and a few hot spots."""
    process, out = spy
    process.wait(timeout=60)
    if not out.exists():
        print("   (py-spy wrote nothing: is ptrace allowed here?)")
        return
    total = 0
    inclusive: dict[str, int] = {}
    for line in out.read_text().splitlines():
        stack_text, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        seen = set()
        for frame in stack_text.split(";"):
            label = re.sub(r" \(([^)]*/)?(site-packages/)?", " (", frame)
            if label not in seen:
                seen.add(label)
                inclusive[label] = inclusive.get(label, 0) + n
    print(f"   py-spy: {total} samples of one worker; frames over 3 %, inclusive (raw: {out})")
    for label, n in sorted(inclusive.items(), key=lambda kv: -kv[1]):
        if n / total >= 0.03:
            print(f"     {n / total:6.1%}  {label[:150]}")


def _once(action: Callable[[], None]) -> Callable[[], load.Step | None]:
    done = [False]

    def next_step() -> load.Step | None:
        if done[0]:
            return None
        done[0] = True

        def step() -> load.Response:
            action()
            return load.Response(200, b"", urllib3.HTTPHeaderDict(), 0.0)

        return step

    return next_step


def _insert(client: Client):
    def next_step() -> load.Step:
        return lambda: expect(client.post("/bench/insert", fields={"note": "bench"}), 200)

    return next_step


# --- the table and the targets --------------------------------------------------------

SHARED_CHOICE = "choice POST (htmx), shared fragment cache"
BASELINE_OF = {
    "choice POST (htmx)": "baseline: insert one row",
    SHARED_CHOICE: "baseline: insert one row",
    "case import (200 stages)": "baseline: insert one row",
}


def table(kind: str, rows: list[Row]) -> tuple[str, list[str]]:
    by_name = {r.name: r for r in rows}
    read = by_name["baseline: read one row"]
    insert = by_name["baseline: insert one row"]
    hello = by_name["baseline: hello"]
    lines = [
        f"### {kind}",
        "",
        "| row | users | requests | req/s | ÷ baseline | p50 ms | p99 ms | p99 ÷ baseline | errors | worker RSS MiB |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        if r.skipped:
            lines.append(f"| {r.name} | – | – | – | – | – | – | – | – | skipped: {r.skipped} |")
            continue
        if r.name.startswith("baseline"):
            base, tag = hello, "hello"
        else:
            base = by_name[BASELINE_OF.get(r.name, "baseline: read one row")]
            tag = "insert" if base is insert else "read"
        ratio = r.rps / base.rps if base.rps else 0.0
        p99 = r.percentile(99) / base.percentile(99) if base.percentile(99) else 0.0
        lines.append(
            f"| {r.name} | {r.concurrency} | {r.count} | {r.rps:.1f} | {ratio:.2f} × {tag} "
            f"| {r.percentile(50) * 1000:.1f} | {r.percentile(99) * 1000:.1f} | {p99:.2f} × {tag} "
            f"| {r.errors} | {r.rss_mib:.0f} |"
        )
    choice = by_name["choice POST (htmx)"]
    stage = by_name["stage page GET"]
    checks = [
        (
            f"choice POST throughput ≥ {CHOICE_VS_INSERT_RPS:.0%} of the insert baseline's",
            choice.rps / insert.rps if insert.rps else 0.0,
            CHOICE_VS_INSERT_RPS,
            True,
        ),
        (
            f"stage GET throughput ≥ {STAGE_VS_READ_RPS:.0%} of the one-row template view's",
            stage.rps / read.rps if read.rps else 0.0,
            STAGE_VS_READ_RPS,
            True,
        ),
        (
            f"choice POST p99 < {CHOICE_P99_VS_INSERT_P99:g}× the insert baseline's p99",
            choice.percentile(99) / insert.percentile(99) if insert.percentile(99) else 99.0,
            CHOICE_P99_VS_INSERT_P99,
            False,
        ),
    ]
    missed: list[str] = []
    lines += ["", "| target | measured | met |", "|---|--:|---|"]
    for name, value, bound, at_least in checks:
        ok = value >= bound if at_least else value < bound
        lines.append(f"| {name} | {value:.2f} | {'yes' if ok else '**no**'} |")
        if not ok:
            missed.append(f"{kind}: {name} (measured {value:.2f})")
    resident_rows = [r for r in rows if r.concurrency == max(x.concurrency for x in rows)]
    errors = sum(r.errors for r in resident_rows)
    ok = errors == 0
    lines.append(
        f"| zero errors at {resident_rows[0].concurrency} concurrent simulated residents | {errors} | {'yes' if ok else '**no**'} |"
    )
    if not ok:
        missed.append(f"{kind}: {errors} errors at {resident_rows[0].concurrency} concurrent users")
    drivers = ", ".join(f"{r.driver_cpu:.2f}" for r in rows if not r.skipped)
    lines += ["", f"Load generator CPU (cores) per row: {drivers}."]
    return "\n".join(lines), missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated residents")
    parser.add_argument(
        "--choices", type=int, default=80, help="choices each resident has left before a choice row"
    )
    parser.add_argument(
        "--core-seconds", type=float, default=10, help="length of each residents-per-core step"
    )
    parser.add_argument("--seconds", type=float, default=8, help="length of each resident row")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--heavy-users", type=int, default=2, help="directors/instructors at once")
    parser.add_argument("--heavy-seconds", type=float, default=15)
    parser.add_argument("--heavy-requests", type=int, default=30)
    parser.add_argument(
        "--no-seed-bench", action="store_true", help="skip seed_bench's 100,000 attempts"
    )
    parser.add_argument("--spy", help="py-spy one worker during the row whose name contains this")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--no-explorer", action="store_true", help="skip the exact explorer's rows")
    parser.add_argument(
        "--no-load", action="store_true", help="only the program pages: no server, no load rows"
    )
    parser.add_argument("--out", type=Path, default=stack.VAR / "bench.md")
    args = parser.parse_args(argv)
    kinds = args.db or ["sqlite", "postgres"]
    report, missed, reported = [], [], []
    if not args.no_explorer:
        print("\n== exact explorer: prove() on each case, in-process", flush=True)
        text, reported = exact.table(exact.rows())
        report.append(text)
    for kind in kinds:
        rows, pages, steps = bench(kind, args)
        if pages is not None:
            text, miss = programs.table(kind, pages)
            report.append(text)
            missed += miss
        if rows:
            text, miss = table(kind, rows)
            report.append(text)
            missed += miss
        if steps:
            report.append(capacity.table(kind, steps, args.core_seconds))
    output = "\n\n".join(report)
    print("\n" + output)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(output + "\n")
    print(f"\n(written to {args.out})")
    if reported:
        print("\nTargets missed (reported, not failing):\n  " + "\n  ".join(reported))
    if missed:
        print("\nTargets missed:\n  " + "\n  ".join(missed), file=sys.stderr)
        return 1
    print("\nEvery target met.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
