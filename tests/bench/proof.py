"""`make proof`: scale-out and faults, on loopback (docs/operations.md).

1. Scale-out: two gunicorn servers (ports 8101, 8102) behind haproxy (8100), one
   PostgreSQL database, sessions in the database. Each simulated resident's
   consecutive choices are routed to alternating servers (a request header haproxy
   routes on; the server that answered comes back in X-Served-By), and every
   third choice is posted a second time to the other server, as a double click
   or a replayed POST would be. Afterwards every attempt must hold exactly the
   choices acknowledged: no gap, no duplicate.
2. Faults, each during its own load run: one gunicorn worker killed with SIGKILL;
   the PostgreSQL server restarted. Afterwards recorded = acknowledged + the
   unacknowledged posts that were recorded (each at most once), and every
   attempt is readable.
3. Backup and restore: pg_dump/pg_restore of the proof database, and a copy of a
   SQLite database made with SQLite's backup API while its server runs (after a
   load run with a worker killed), each compared row for row and re-verified.

Exits 1 when any check fails.

    python -m tests.bench.proof
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench import load, stack
from tests.bench.load import Client
from tests.bench.residents import Attempt, Script, scripts

SEQ_FIELD = re.compile(r'name="seq" value="(\d+)"')
PG_VERSION = os.environ.get("BENCH_PG_VERSION") or (
    sorted(os.listdir("/etc/postgresql"))[-1] if Path("/etc/postgresql").is_dir() else ""
)


@dataclass
class Sent:
    acked: dict[int, list[str]] = field(default_factory=dict)
    unacked: dict[int, list[list[str]]] = field(default_factory=dict)
    served: list[str] = field(default_factory=list)  # X-Served-By of each acknowledged choice
    routed: list[str] = field(default_factory=list)  # the server each was sent to


@dataclass
class Tally:
    posts: int = 0
    acked: int = 0
    failed: int = 0
    replays: int = 0
    replays_recorded: int = 0  # a replay that recorded a second choice: must stay 0
    starts_failed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


class Resident:
    def __init__(self, port: int, username: str, password: str, cases: list[Script], seed: int):
        self.client = Client("127.0.0.1", port)
        self.username, self.password = username, password
        self.cases = cases
        self.rng = random.Random(seed)
        self.attempt: Attempt | None = None
        self.sent: dict[int, Sent] = {}
        self.route = "a" if seed % 2 else "b"
        self.logged_in = False

    def step(self, tally: Tally, *, alternate: bool, replay_every: int) -> None:
        """One choice (starting an attempt first when needed); never raises."""
        try:
            if not self.logged_in:
                self.client.login(self.username, self.password)
                self.logged_in = True
            if self.attempt is None or self.attempt.finished:
                script = self.rng.choice(self.cases)
                response = self.client.post(
                    f"/cases/{script.slug}/start/", fields={"mode": "practice"}
                )
                load.expect(response, 302)
                pk = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
                self.attempt = Attempt(pk, script)
                self.sent[pk] = Sent()
        except Exception:  # noqa: BLE001 - the server is down or restarting: try again later
            tally.add(starts_failed=1)
            time.sleep(0.2)
            return
        attempt = self.attempt
        sent = self.sent[attempt.pk]
        options = list(attempt.script.choices[attempt.seq])
        route = self._next_route() if alternate else ""
        headers = {"HX-Request": "true"} | ({"X-Route": route} if route else {})
        tally.add(posts=1)
        try:
            response = self.client.post(
                f"/attempts/{attempt.pk}/choose/",
                fields=attempt.script.fields(attempt.seq),
                headers=headers,
            )
            load.expect(response, 200, 'id="stage"')
            if "already recorded" in response.text:
                raise load.Failed("not recorded: the page was behind")
        except Exception:  # noqa: BLE001 - not acknowledged: recorded once or not at all
            sent.unacked.setdefault(attempt.seq, []).append(options)
            tally.add(failed=1)
            self._resync(attempt)
            return
        sent.acked[attempt.seq] = options
        sent.served.append(response.headers.get("X-Served-By", ""))
        sent.routed.append(route)
        tally.add(acked=1)
        attempt.seq += 1
        if replay_every and attempt.seq % replay_every == 0:
            other = {"a": "b", "b": "a"}.get(route, "")
            try:
                again = self.client.post(
                    f"/attempts/{attempt.pk}/choose/",
                    fields=attempt.script.fields(attempt.seq - 1),
                    headers={"HX-Request": "true"} | ({"X-Route": other} if other else {}),
                )
                tally.add(replays=1)
                if again.status == 200 and "already recorded" not in again.text:
                    tally.add(replays_recorded=1)
            except Exception:  # noqa: BLE001, S110 - a lost replay changes nothing
                pass

    def _next_route(self) -> str:
        self.route = "b" if self.route == "a" else "a"
        return self.route

    def _resync(self, attempt: Attempt, patience: float = 40.0) -> None:
        """Reload the attempt's page, as the resident would, to learn where it stands."""
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            try:
                page = self.client.get(f"/attempts/{attempt.pk}/")
                if page.status == 200:
                    match = SEQ_FIELD.search(page.text)
                    attempt.seq = int(match.group(1)) if match else len(attempt.script.choices)
                    return
                if page.status == 302:  # the session is gone (it never should be)
                    self.logged_in = False
                    self.client.login(self.username, self.password)
                    self.logged_in = True
            except Exception:  # noqa: BLE001, S110 - still down: wait and retry
                pass
            time.sleep(0.3)
        raise SystemExit(f"attempt {attempt.pk} stayed unreadable for {patience:.0f} s")


def drive(
    residents: list[Resident],
    *,
    seconds: float,
    max_posts: int,
    alternate: bool,
    replay_every: int = 0,
    fault=None,
    fault_at: float = 0.0,
) -> Tally:
    tally = Tally()
    stop_at = time.monotonic() + seconds

    def worker(resident: Resident) -> None:
        while time.monotonic() < stop_at and tally.posts < max_posts:
            resident.step(tally, alternate=alternate, replay_every=replay_every)

    threads = [threading.Thread(target=worker, args=(r,), daemon=True) for r in residents]
    for thread in threads:
        thread.start()
    if fault is not None:
        time.sleep(fault_at)
        fault()
    for thread in threads:
        thread.join()
    return tally


def sent_json(residents: list[Resident]) -> dict:
    out = {}
    for resident in residents:
        for pk, sent in resident.sent.items():
            out[str(pk)] = {"acked": sent.acked, "unacked": sent.unacked}
    return out


def verify(env: dict[str, str], residents: list[Resident]) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "tests.bench.verify"],
        cwd=stack.ROOT,
        env=env,
        input=json.dumps(sent_json(residents)),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"verify failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Report:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.failures: list[str] = []

    def check(self, name: str, ok: bool, detail: str) -> None:
        mark = "ok" if ok else "FAILED"
        line = f"| {name} | {detail} | {mark} |"
        self.lines.append(line)
        print(f"   {mark:6} {name}: {detail}", flush=True)
        if not ok:
            self.failures.append(name)

    def phase(self, name: str, tally: Tally, result: dict, *, extra: str = "") -> None:
        exact = result["recorded"] == result["acknowledged"] + result["recorded_unacknowledged"]
        ok = exact and result["problem_count"] == 0 and result["unreadable"] == 0
        self.check(
            name,
            ok and tally.replays_recorded == 0,
            f"{tally.posts} choices posted, {tally.acked} acknowledged, {tally.failed} not; "
            f"recorded {result['recorded']} = {result['acknowledged']} acknowledged + "
            f"{result['recorded_unacknowledged']} unacknowledged recorded once; "
            f"{tally.replays} replayed posts, {tally.replays_recorded} recorded twice; "
            f"{result['attempts']} attempts, {result['unreadable']} unreadable"
            + (f"; {extra}" if extra else ""),
        )
        for problem in result["problems"]:
            print(f"      {problem}")


def haproxy_config(lb_port: int, ports: list[int]) -> str:
    names = "ab"
    servers = "\n".join(
        f"    server {names[i]} 127.0.0.1:{port} check inter 2s fall 3 rise 1"
        for i, port in enumerate(ports)
    )
    routes = "\n".join(
        f"    use-server {names[i]} if {{ req.hdr(x-route) -m str {names[i]} }}"
        for i in range(len(ports))
    )
    return f"""global
    maxconn 2000

defaults
    mode http
    timeout connect 5s
    timeout client 90s
    timeout server 90s
    timeout queue 60s
    # A busy sync worker answers a health check late: late is not down.
    timeout check 30s
    # A connection per request, as gunicorn's sync workers have it anyway: each
    # request is routed on its own (keep-alive could pin a client to one server).
    option httpclose

frontend casepath
    bind 127.0.0.1:{lb_port}
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz hdr Host 127.0.0.1
    http-response set-header X-Served-By %s
{routes}
{servers}
"""


def start_haproxy(lb_port: int, ports: list[int]) -> subprocess.Popen:
    config = stack.VAR / "haproxy.cfg"
    config.write_text(haproxy_config(lb_port, ports))
    binary = "/usr/sbin/haproxy"
    subprocess.run([binary, "-c", "-q", "-f", str(config)], check=True)  # noqa: S603
    log = (stack.VAR / "haproxy.log").open("w")
    process = subprocess.Popen(
        [binary, "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT
    )  # noqa: S603
    stack.wait_healthy(lb_port)
    return process


def rows(url: str) -> tuple[list, list]:
    """Every attempt and every choice, in a canonical order, straight from the database."""
    if url.startswith("sqlite:///"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        attempts = connection.execute(
            "SELECT id, user_id, case_version_id, finished_at IS NULL FROM simulator_attempt ORDER BY id"
        ).fetchall()
        choices = [
            (a, s, st, json.loads(o))
            for a, s, st, o in connection.execute(
                "SELECT attempt_id, seq, stage, options FROM simulator_choice ORDER BY attempt_id, seq"
            )
        ]
        connection.close()
        return attempts, choices
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
        attempts = connection.execute(
            "SELECT id, user_id, case_version_id, finished_at IS NULL FROM simulator_attempt ORDER BY id"
        ).fetchall()
        choices = connection.execute(
            "SELECT attempt_id, seq, stage, options FROM simulator_choice ORDER BY attempt_id, seq"
        ).fetchall()
    return [tuple(r) for r in attempts], [tuple(r) for r in choices]


def make_residents(port: int, info: dict, count: int) -> list[Resident]:
    """Residents logged in (in parallel, before any timed run: PBKDF2 is slow on purpose)."""
    cases = list(scripts().values())
    residents = [
        Resident(port, name, info["password"], cases, seed=i)
        for i, name in enumerate(info["residents"][:count])
    ]

    def log_in(resident: Resident) -> None:
        resident.client.login(resident.username, resident.password)
        resident.logged_in = True

    threads = [threading.Thread(target=log_in, args=(r,)) for r in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return residents


def fresh_run(residents: list[Resident]) -> list[Resident]:
    """The same logged-in residents, with a clean record for the next run."""
    for resident in residents:
        resident.sent = {}
        resident.attempt = None
    return residents


def postgres_phases(args: argparse.Namespace, report: Report) -> None:
    database = stack.Database("postgres", "casepath_proof")
    restored = stack.Database("postgres", "casepath_proof_restore")
    print("\n== PostgreSQL: two app servers behind haproxy", flush=True)
    database.create()
    env = stack.environment(database)
    info = stack.prepare(env, args.users, seed_bench=False)
    servers = [stack.Server(env, port, name=f"proof-{port}") for port in args.ports]
    lb = start_haproxy(args.lb_port, args.ports)
    try:
        residents = make_residents(args.lb_port, info, args.users)
        tally = drive(
            residents,
            seconds=args.seconds,
            max_posts=args.max_posts,
            alternate=True,
            replay_every=3,
        )
        alternating = sum(
            1
            for r in residents
            for s in r.sent.values()
            for served, routed in zip(s.served, s.routed, strict=True)
            if served == routed
        )
        pairs = [
            (s.served[i], s.served[i + 1])
            for r in residents
            for s in r.sent.values()
            for i in range(len(s.served) - 1)
        ]
        switched = sum(1 for x, y in pairs if x != y)
        report.phase(
            "scale-out: consecutive choices on alternating servers",
            tally,
            verify(env, residents),
            extra=f"{alternating}/{tally.acked} answered by the server they were routed to, "
            f"{switched}/{len(pairs)} consecutive pairs switched server",
        )
        if alternating != tally.acked or switched != len(pairs):
            odd = [
                (r.username, s.routed, s.served)
                for r in residents
                for s in r.sent.values()
                if s.routed != s.served
            ]
            print(f"      e.g. {odd[:3]}")
            report.check("scale-out: routing", False, "choices did not alternate between servers")

        def kill_worker() -> None:
            victim = load.worker_pids(servers[0].pid)[0]
            print(f"   SIGKILL worker {victim} of the server on {args.ports[0]}", flush=True)
            os.kill(victim, signal.SIGKILL)

        residents = fresh_run(residents)
        tally = drive(
            residents,
            seconds=args.seconds,
            max_posts=args.max_posts,
            alternate=True,
            fault=kill_worker,
            fault_at=args.seconds / 3,
        )
        report.phase("fault: a gunicorn worker killed with SIGKILL", tally, verify(env, residents))

        def restart_postgres() -> None:
            print(f"   restarting PostgreSQL {PG_VERSION}", flush=True)
            began = time.monotonic()
            subprocess.run(  # noqa: S603
                ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "restart"],
                check=True,
            )
            print(f"   PostgreSQL back after {time.monotonic() - began:.1f} s", flush=True)

        residents = fresh_run(residents)
        tally = drive(
            residents,
            seconds=args.seconds + 5,
            max_posts=args.max_posts,
            alternate=True,
            fault=restart_postgres,
            fault_at=args.seconds / 3,
        )
        report.phase("fault: PostgreSQL restarted", tally, verify(env, residents))
        # Every attempt of the three runs, readable after all of it.
        everyone = residents
    finally:
        lb.terminate()
        lb.wait()
        for server in servers:
            server.stop()

    print("\n== PostgreSQL: pg_dump and pg_restore", flush=True)
    dump = stack.VAR / "proof.dump"
    subprocess.run(
        ["pg_dump", "-Fc", "-f", str(dump), database.url.replace("postgres://", "postgresql://")],
        check=True,
    )  # noqa: S603, S607
    restored.create()
    subprocess.run(  # noqa: S603
        [
            "pg_restore",
            "--no-owner",
            "-d",
            restored.url.replace("postgres://", "postgresql://"),
            str(dump),
        ],  # noqa: S607
        check=True,
    )
    before, after = rows(database.url), rows(restored.url)
    report.check(
        "backup: pg_dump/pg_restore round-trips every attempt",
        before == after and len(before[0]) > 0,
        f"{len(before[0])} attempts and {len(before[1])} choices dumped, "
        f"{len(after[0])} and {len(after[1])} restored, identical: {before == after}",
    )
    again = verify(stack.environment(restored), everyone)
    report.check(
        "backup: restored attempts readable and exact",
        again["problem_count"] == 0 and again["unreadable"] == 0,
        f"{again['attempts']} attempts of the last run re-verified on the restored copy",
    )
    if not args.keep:
        restored.drop()
        database.drop()
        dump.unlink(missing_ok=True)


def sqlite_phase(args: argparse.Namespace, report: Report) -> None:
    database = stack.Database("sqlite", "proof")
    copy = stack.Database("sqlite", "proof-backup")
    print("\n== SQLite: one app server, a worker killed, a hot backup", flush=True)
    database.create()
    copy.drop()
    env = stack.environment(database)
    info = stack.prepare(env, args.users, seed_bench=False)
    server = stack.Server(env, args.ports[0], name="proof-sqlite")
    try:

        def kill_worker() -> None:
            victim = load.worker_pids(server.pid)[0]
            print(f"   SIGKILL worker {victim}", flush=True)
            os.kill(victim, signal.SIGKILL)

        residents = make_residents(args.ports[0], info, args.users)
        tally = drive(
            residents,
            seconds=args.seconds,
            max_posts=args.max_posts,
            alternate=False,
            replay_every=3,
            fault=kill_worker,
            fault_at=args.seconds / 3,
        )
        report.phase(
            "fault (SQLite): a gunicorn worker killed with SIGKILL", tally, verify(env, residents)
        )
        # SQLite's online backup API, while the server is still up.
        source = sqlite3.connect(database.sqlite_file)
        target = sqlite3.connect(copy.sqlite_file)
        with target:
            source.backup(target)
        source.close()
        target.close()
    finally:
        server.stop()
    before, after = rows(database.url), rows(copy.url)
    report.check(
        "backup: SQLite backup API copy round-trips every attempt",
        before == after and len(before[0]) > 0,
        f"{len(before[0])} attempts and {len(before[1])} choices, copy identical: {before == after}",
    )
    again = verify(stack.environment(copy), residents)
    report.check(
        "backup: SQLite copy readable and exact",
        again["problem_count"] == 0 and again["unreadable"] == 0,
        f"{again['attempts']} attempts re-verified on the copy",
    )
    if not args.keep:
        database.drop()
        copy.drop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lb-port", type=int, default=int(os.environ.get("PROOF_LB_PORT", 8100)))
    parser.add_argument(
        "--ports",
        type=int,
        nargs=2,
        default=[int(p) for p in os.environ.get("PROOF_PORTS", "8101 8102").split()],
    )
    parser.add_argument("--users", type=int, default=30, help="simulated residents")
    parser.add_argument("--seconds", type=float, default=15, help="length of each load run")
    parser.add_argument("--max-posts", type=int, default=5000, help="choices per run, at most")
    parser.add_argument("--only", choices=["postgres", "sqlite"])
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args(argv)
    report = Report()
    if args.only != "sqlite":
        postgres_phases(args, report)
    if args.only != "postgres":
        sqlite_phase(args, report)
    table = "\n".join(["| check | figures | result |", "|---|---|---|", *report.lines])
    print("\n" + table)
    (stack.VAR / "proof.md").write_text(table + "\n")
    if report.failures:
        print("\nFailed: " + "; ".join(report.failures), file=sys.stderr)
        return 1
    print("\nEvery check passed.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
