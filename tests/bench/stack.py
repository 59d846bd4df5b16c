"""Databases and gunicorn servers for `make bench` and `make proof`, all on loopback."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import urllib3

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var" / "bench"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Database:
    kind: str  # "sqlite" or "postgres"
    name: str

    @property
    def url(self) -> str:
        if self.kind == "sqlite":
            return f"sqlite:///{VAR / (self.name + '.sqlite3')}"
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgres://")
        return f"{base}/{self.name}"

    @property
    def sqlite_file(self) -> Path:
        return VAR / (self.name + ".sqlite3")

    def create(self) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        self.drop()
        if self.kind == "postgres":
            _pg(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(str(self.sqlite_file) + suffix).unlink(missing_ok=True)
        else:
            _pg(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql)


def environment(database: Database, **extra: str) -> dict[str, str]:
    """Production settings (DEBUG off) on plain loopback HTTP, as `make serve` has them."""
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=database.url,
        # The product's settings plus the baseline views and their table.
        DJANGO_SETTINGS_MODULE="tests.bench.settings",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare(env: dict[str, str], residents: int, *, seed_bench: bool = True) -> dict:
    """Migrate, collect static files, seed; return the seed's JSON."""
    manage(env, "migrate", "--noinput", "-v0")
    # The shared fragment cache's table, for the rows run with FRAGMENT_CACHE=database.
    manage(env | {"FRAGMENT_CACHE": "database"}, "createcachetable")
    manage(env, "collectstatic", "--noinput", "-v0")
    args = [PYTHON, "-m", "tests.bench.seed", "--residents", str(residents)]
    if not seed_bench:
        args.append("--no-seed-bench")
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"seeding failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn with 2 sync workers (or as asked) on 127.0.0.1:<port>."""

    def __init__(self, env: dict[str, str], port: int, *, workers: int = 2, name: str = "") -> None:
        self.port = port
        VAR.mkdir(parents=True, exist_ok=True)
        self.log_path = VAR / f"gunicorn-{name or port}.log"
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                GUNICORN,
                "simulator.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_healthy(port)

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wait_healthy(port: int, timeout: float = 30.0) -> None:
    pool = urllib3.HTTPConnectionPool("127.0.0.1", port, retries=False, timeout=2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pool.request("GET", "/healthz", headers={"Host": "127.0.0.1"}).status == 200:
                return
        except urllib3.exceptions.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"nothing healthy on 127.0.0.1:{port} after {timeout:.0f} s")
