"""The load generator: simulated users on threads, each with its own cookies.

Deliberately small: urllib3 (one connection pool per user, no retries, so a
failure is counted, never hidden) and one thread per simulated user. A
gunicorn sync worker closes the connection after every response, so every
request opens a new TCP connection, as a browser behind a proxy would not;
both the baselines and the pages pay that cost.

Nothing here imports Django: it only speaks HTTP to 127.0.0.1.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import urllib3

TIMEOUT = urllib3.Timeout(connect=10, read=60)


class Failed(Exception):
    """A response that is not what a working server sends."""


@dataclass
class Response:
    status: int
    body: bytes
    headers: urllib3.HTTPHeaderDict
    elapsed: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One simulated person: a cookie jar and a connection to one server."""

    def __init__(self, host: str, port: int) -> None:
        self.pool = urllib3.HTTPConnectionPool(
            host, port, maxsize=1, block=True, retries=False, timeout=TIMEOUT
        )
        self.cookies: dict[str, str] = {}
        self.origin = f"http://{host}:{port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        fields: dict | list | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        send = {"Host": "127.0.0.1"}
        if self.cookies:
            send["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            send["X-CSRFToken"] = self.cookies["csrftoken"]
        if fields is not None:
            body = urlencode(fields, doseq=True).encode()
            send["Content-Type"] = "application/x-www-form-urlencoded"
        send.update(headers or {})
        started = time.perf_counter()
        raw = self.pool.urlopen(
            method, path, body=body, headers=send, redirect=False, preload_content=True
        )
        elapsed = time.perf_counter() - started
        for value in raw.headers.getlist("Set-Cookie"):
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(raw.status, raw.data, raw.headers, elapsed)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Response:
        return self.request("POST", path, **kwargs)

    def login(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        expect(page, 200)
        token = self.cookies.get("csrftoken")
        if not token:
            raise Failed("the login page set no csrftoken cookie")
        done = self.post(
            "/accounts/login/",
            fields={"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        expect(done, 302)
        if "sessionid" not in self.cookies:
            raise Failed(f"logging in as {username} set no session cookie")


def expect(response: Response, status: int, contains: str | None = None) -> Response:
    if response.status != status:
        raise Failed(f"HTTP {response.status}, expected {status}: {response.text[:200]!r}")
    if contains is not None and contains not in response.text:
        raise Failed(f"the response lacks {contains!r}")
    return response


# --- rows: many users doing one thing ------------------------------------------------


@dataclass
class Row:
    name: str
    concurrency: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)
    rss_mib: float = 0.0
    driver_cpu: float = 0.0  # the load generator's own CPU use, in cores
    skipped: str = ""

    @property
    def count(self) -> int:
        return len(self.latencies) + self.errors

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[index]


Step = Callable[[], Response]


def run_row(
    name: str,
    users: Iterable[Callable[[], Step | None]],
    *,
    seconds: float,
    max_requests: int,
    rss: Callable[[], float] | None = None,
) -> Row:
    """Each user repeatedly asks its ``next_step()`` for a request to make and makes it,
    until the time or the request budget runs out or it has nothing left to do.

    A step returns a Response whose check already ran (it raises ``Failed`` or an
    urllib3 error otherwise); its latency is recorded, a failure counts as an error.
    """
    users = list(users)
    row = Row(name=name, concurrency=len(users))
    lock = threading.Lock()
    budget = [max_requests]
    stop_at = time.perf_counter() + seconds
    stop = threading.Event()
    peak = [0.0]

    def worker(next_step: Callable[[], Step | None]) -> None:
        while time.perf_counter() < stop_at:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            step = next_step()
            if step is None:
                return
            started = time.perf_counter()
            try:
                response = step()
            except Exception as error:  # noqa: BLE001 - every failure is an error to count
                with lock:
                    row.errors += 1
                    if len(row.first_errors) < 5:
                        row.first_errors.append(f"{type(error).__name__}: {error}"[:300])
                continue
            with lock:
                row.latencies.append(response.elapsed or time.perf_counter() - started)

    def sample() -> None:
        while not stop.is_set():
            if rss is not None:
                peak[0] = max(peak[0], rss())
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    threads = [threading.Thread(target=worker, args=(u,), daemon=True) for u in users]
    cpu = time.process_time()
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    row.seconds = time.perf_counter() - began
    row.driver_cpu = (time.process_time() - cpu) / row.seconds if row.seconds else 0.0
    stop.set()
    sampler.join()
    row.rss_mib = peak[0]
    return row


# --- the server's workers -------------------------------------------------------------


def worker_pids(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(pid) for pid in text.split()]


def rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else 0.0


def max_worker_rss(master: int) -> float:
    return max((rss_mib(pid) for pid in worker_pids(master)), default=0.0)
