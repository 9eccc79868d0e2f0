"""Where a signed-in request to the tenant home page spends its time, in one process, no HTTP server.

    .venv/bin/python benchmarks/profile_page.py [--profile] [--requests 2000] [--what-if PATCHES]

Needs the database benchmarks/run.py prepares. Signs in (test client), then calls the WSGI application
directly: prints the SQL queries of one request, the mean time per request over --requests requests
and, with --profile, the top of their cProfile. --what-if applies benchmarks/what_if.py patches first.
With DJANGO_SETTINGS_MODULE=portal.settings.bench_bare it times the bare view instead.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402


def environ(path, cookie):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }


def signed_in_cookie():
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.post("/poste/sign-in/", {"username": "E100001", "password": "Demo-Portal-2026"})
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--lines", type=int, default=35)
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative, tottime, …")
    parser.add_argument("--what-if", default="", help="benchmarks/what_if.py patches to apply first")
    args = parser.parse_args()
    from benchmarks import what_if

    what_if.apply(args.what_if)

    bare = not settings.MIDDLEWARE
    path, cookie = ("/", "") if bare else ("/poste/", signed_in_cookie())
    app = WSGIHandler()

    def request():
        body = b"".join(app(environ(path, cookie), lambda status, headers: None))
        assert bare or b"Camille" in body, "not signed in"

    for _ in range(200):
        request()
    if not bare:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            request()
        health_check = settings.DATABASES["default"].get("CONN_HEALTH_CHECKS")
        # Django runs the health check before the first query of a request only: none without a query.
        checked = health_check and len(queries) > 0
        print(f"SQL per request: {len(queries)}{' + the health check SELECT 1' if checked else ''}")
        for query in queries:
            print(f"  {query['sql'][:150]}")

    profiler = cProfile.Profile() if args.profile else None
    start, cpu_start = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for _ in range(args.requests):
        request()
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    print(
        f"{settings.SETTINGS_MODULE} {path}: {elapsed / args.requests * 1e3:.3f} ms per request,"
        f" of which {cpu / args.requests * 1e3:.3f} ms CPU in this process"
        f"{' (under cProfile)' if profiler else ''}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.lines)


if __name__ == "__main__":
    main()
