"""Profile one page in-process with pyinstrument, on a fresh SQLite bench database.

    python -m tests.bench.profile choice   # or: last, stage, read, insert, debrief

Prints pyinstrument's call tree for N requests made with Django's test client
as a logged-in resident (the same views and middleware gunicorn runs).
``choice`` plays attempts of the diabetic case through; ``last`` times only
the choice that finishes an attempt and stores its score (the others are made
before the profiler starts).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from tests.bench import stack


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("page", choices=["choice", "last", "stage", "read", "insert", "debrief"])
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args(argv)
    if os.environ.get("_BENCH_PROFILE_CHILD") != "1":
        database = stack.Database("sqlite", "profile")
        database.create()
        env = stack.environment(database, _BENCH_PROFILE_CHILD="1")
        stack.prepare(env, 1, seed_bench=False)
        try:
            return subprocess.call(
                [sys.executable, "-m", "tests.bench.profile", *sys.argv[1:]], env=env
            )
        finally:
            database.drop()
    return _profile(args.page, args.n)


def _profile(page: str, n: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    import django

    django.setup()
    from django.test import Client
    from pyinstrument import Profiler

    from tests.bench.residents import scripts
    from tests.bench.seed import BENCH_PASSWORD

    client = Client(enforce_csrf_checks=False, HTTP_HOST="127.0.0.1")
    assert client.login(username="sim-r000", password=BENCH_PASSWORD)
    script = scripts()["diabetic-ulcer-osteomyelitis"]

    def start() -> int:
        response = client.post(f"/cases/{script.slug}/start/", {"mode": "practice"})
        return int(response["Location"].rstrip("/").rsplit("/", 1)[1])

    attempts = [start() for _ in range(n // len(script.choices) + 5)]
    for pk in attempts[:3]:  # a finished attempt or three for the debrief
        for seq in range(len(script.choices)):
            client.post(
                f"/attempts/{pk}/choose/", script.fields(seq), headers={"HX-Request": "true"}
            )
    todo = attempts[3:]
    if page == "last":
        todo = [start() for _ in range(n)]
        for pk in todo:
            for seq in range(len(script.choices) - 1):
                client.post(
                    f"/attempts/{pk}/choose/", script.fields(seq), headers={"HX-Request": "true"}
                )
    requests = []
    for i in range(n):
        if page == "choice":
            pk = todo[i // len(script.choices)]
            fields = script.fields(i % len(script.choices))
            requests.append(
                lambda pk=pk, f=fields: client.post(
                    f"/attempts/{pk}/choose/", f, headers={"HX-Request": "true"}
                )
            )
        elif page == "last":
            last = script.fields(len(script.choices) - 1)
            requests.append(
                lambda pk=todo[i], f=last: client.post(
                    f"/attempts/{pk}/choose/", f, headers={"HX-Request": "true"}
                )
            )
        elif page == "stage":
            requests.append(lambda: client.get(f"/attempts/{attempts[0]}/"))
        elif page == "debrief":
            requests.append(lambda: client.get(f"/attempts/{attempts[0]}/debrief/"))
        elif page == "read":
            requests.append(lambda: client.get("/bench/read"))
        else:
            requests.append(lambda: client.post("/bench/insert", {"note": "x"}))
    requests[0]()  # warm up
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for request in requests[1:]:
        response = request()
        assert response.status_code == 200, response.status_code
    profiler.stop()
    print(
        profiler.output_text(unicode=True, color=False, show_all=os.environ.get("SHOW_ALL") == "1")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
