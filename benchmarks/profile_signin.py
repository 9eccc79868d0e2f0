"""What a sign-in costs around the password hash, in one process, no HTTP server (benchmarks/README.md,
"Sign-in with less around the hash").

    PYTHONPATH=$PWD .venv/bin/python benchmarks/profile_signin.py [--blocks 8] [--per-block 20]
        [--profile] [--caches] [--what-if PATCHES]

Needs the database and accounts benchmarks/signin.py prepares (the same PORTAIL_BENCH_DB and
PORTAIL_BENCH_REDIS). Each sign-in is a new browser: GET the sign-in page (not measured), then POST
the form through the WSGI handler. Prints the SQL statements and Redis commands of one sign-in, then
the CPU of this process per sign-in and per raw Argon2id verify of the same hash, measured in
alternating blocks (so a change in the machine's load hits both alike), their medians and ratio.
--profile adds a cProfile listing (CPU time) of the sign-ins. --caches adds, in each round, a block of
sign-ins whose verify answers at once: the work around the hash when nothing evicted the caches, so
the difference is the hash's own effect on them.

--no-hash measures the work around the hash alone: the Argon2 verify answers True at once (only
here, never in the portal), the browsers are all made first (--prepared blocks of them), and no raw
verify runs. Under valgrind the difference of two runs is the instructions of sign-ins, which the
load of a shared machine does not move (benchmarks/README.md, "Sign-in with less around the hash"):

    for b in 1 6; do valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$b .venv/bin/python \
        benchmarks/profile_signin.py --no-hash --prepared 6 --blocks $b; done   # (6 - 1) x 20 sign-ins apart

--no-hash --bytecodes counts the Python bytecodes of --per-block sign-ins' WSGI calls (sys.settrace,
opcode events) and lists the --lines functions that hold the most, each with what runs inside it
(benchmarks/README.md, "Sign-in: an eighth machine"); TENANT_CACHE_SECONDS=3600 keeps a reload of the
tenant out of the count.
"""

import argparse
import collections
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from benchmarks.signin import BENCH_PASSWORD, SIGN_IN_PATH  # noqa: E402


class Browser:
    def __init__(self, app):
        self.app, self.cookies = app, {}

    def call(self, method, body=b""):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": SIGN_IN_PATH,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_LENGTH": str(len(body)),
        }
        if method == "POST":
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["HTTP_REFERER"] = f"http://127.0.0.1{SIGN_IN_PATH}"
            environ["HTTP_ORIGIN"] = "http://127.0.0.1"
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = []
        content = b"".join(self.app(environ, lambda status, headers: answer.append((status, headers))))
        status, headers = answer[0]
        for name, value in headers:
            if name == "Set-Cookie":
                self.cookies.update({k: m.value for k, m in SimpleCookie(value).items()})
        return status, content


def ready_browser(app, number):
    """A browser on the sign-in page, and its form for account `number`."""
    browser = Browser(app)
    _status, content = browser.call("GET")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
    form = {"username": f"B{number % 200:06d}", "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token}
    return browser, urllib.parse.urlencode(form).encode()


def sign_in(browser, body):
    status, _content = browser.call("POST", body)
    if not status.startswith("302") or "sessionid" not in browser.cookies:
        raise RuntimeError(f"not signed in ({status})")


def redis_commands():
    """Counts every Redis command sent (a pipeline or a script call counts once)."""
    import redis

    sent = []
    execute = redis.client.Redis.execute_command

    def counting(self, *args, **kwargs):
        sent.append(str(args[0]) if args else "?")
        return execute(self, *args, **kwargs)

    redis.client.Redis.execute_command = counting
    return sent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=8, help="alternating blocks of each (default 8)")
    parser.add_argument("--per-block", type=int, default=20, help="sign-ins, and verifies, per block")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--what-if", default="", help="benchmarks/what_if.py patches to apply first")
    parser.add_argument("--no-hash", action="store_true", help="Argon2 stubbed: the work around it")
    parser.add_argument("--prepared", type=int, default=0, help="--no-hash: blocks of browsers made first")
    parser.add_argument("--bytecodes", action="store_true", help="--no-hash: count the sign-ins' bytecodes")
    parser.add_argument(
        "--caches", action="store_true", help="also a block without the hash each time: the hash's effect"
    )
    args = parser.parse_args()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.hashers import PortailArgon2Hasher
    from accounts.models import User
    from benchmarks import what_if

    what_if.apply(args.what_if)
    if args.no_hash:
        import argon2._password_hasher

        argon2._password_hasher.verify_secret = lambda *args, **kwargs: True
    app = WSGIHandler()
    sent = redis_commands()
    for number in range(10):  # warm-up: the tenant directory, the connections, the script cache
        sign_in(*ready_browser(app, number))
    browser, body = ready_browser(app, 0)
    sent.clear()
    with CaptureQueriesContext(connection) as queries:
        sign_in(browser, body)
    print(f"SQL statements of one sign-in: {len(queries)} (and the connection health check)")
    for query in queries:
        print(f"  {query['sql'][:140]}")
    print(f"Redis commands of one sign-in: {len(sent)}: {', '.join(sent)}")

    if args.no_hash and args.bytecodes:
        return bytecodes(app, args)
    if args.no_hash:
        return around_only(app, args)
    encoded = User.objects.filter(identifier="B000000").values_list("password", flat=True).get()
    hasher = PortailArgon2Hasher()
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    import argon2._password_hasher as argon2_hasher

    verify_secret, in_hash = argon2_hasher.verify_secret, [0.0]

    def timed(*args, **kwargs):  # the hash inside the sign-ins, by this thread's CPU
        started = time.thread_time()
        try:
            return verify_secret(*args, **kwargs)
        finally:
            in_hash[0] += time.thread_time() - started

    per_sign_in, per_verify, around, without_hash = [], [], [], []
    for block in range(args.blocks):
        if args.caches:  # the same sign-ins, the verify answering at once: nothing evicts the caches
            ready = [ready_browser(app, 100 + block * args.per_block + n) for n in range(args.per_block)]
            argon2_hasher.verify_secret = lambda *args, **kwargs: True
            started = time.thread_time()
            for browser, body in ready:
                sign_in(browser, body)
            without_hash.append((time.thread_time() - started) * 1e3 / args.per_block)
        argon2_hasher.verify_secret = timed
        ready = [ready_browser(app, block * args.per_block + n) for n in range(args.per_block)]
        in_hash[0] = 0.0
        started = time.process_time()
        if profiler:
            profiler.enable()
        for browser, body in ready:
            sign_in(browser, body)
        if profiler:
            profiler.disable()
        per_sign_in.append((time.process_time() - started) * 1e3 / args.per_block)
        around.append(per_sign_in[-1] - in_hash[0] * 1e3 / args.per_block)
        argon2_hasher.verify_secret = verify_secret
        started = time.process_time()
        for _n in range(args.per_block):
            hasher.verify(BENCH_PASSWORD, encoded)
        per_verify.append((time.process_time() - started) * 1e3 / args.per_block)
    sign_in_ms, verify_ms = statistics.median(per_sign_in), statistics.median(per_verify)
    print(
        f"CPU per sign-in {sign_in_ms:.2f} ms, per raw verify {verify_ms:.2f} ms (medians of {args.blocks} "
        f"blocks): ratio {verify_ms / sign_in_ms:.3f}, around the hash {sign_in_ms - verify_ms:.2f} ms "
        f"({(sign_in_ms - verify_ms) / verify_ms:.0%} of the hash)"
        f"{'; under cProfile' if profiler else ''}"
    )
    print(f"around the hash in the same sign-ins (less their own hash): {statistics.median(around):.2f} ms")
    if without_hash:
        alone = statistics.median(without_hash)
        print(
            f"the same sign-ins without the hash: {alone:.2f} ms; so the hash's effect on the caches is "
            f"{statistics.median(around) - alone:.2f} ms of the {statistics.median(around):.2f} ms around it"
        )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.lines)


def bytecodes(app, args):
    """Bytecodes of each function, with what it calls, over --per-block sign-ins' WSGI calls."""
    ready = [ready_browser(app, 100 + n) for n in range(args.per_block)]
    inside = collections.Counter()

    def tracer(frame, event, _arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            seen = set()
            while frame is not None:
                code = frame.f_code
                if code is traced.__code__:  # the frames of this benchmark, outside the WSGI call
                    break
                if code not in seen:
                    seen.add(code)
                    inside[code] += 1
                frame = frame.f_back
        return tracer

    def traced(environ, start_response):
        sys.settrace(tracer)
        try:
            return list(app(environ, start_response))
        finally:
            sys.settrace(None)

    for browser, body in ready:
        browser.app = traced
        sign_in(browser, body)
    whole = inside[app.__class__.__call__.__code__] / args.per_block
    print(f"bytecodes of a sign-in's WSGI call without the hash: {whole:,.0f}")
    site = str(Path(django.__file__).parent.parent) + "/"
    for code, count in inside.most_common(args.lines):
        where = code.co_filename.replace(site, "").replace(str(Path.cwd()) + "/", "")
        print(f"{count / args.per_block:9,.0f}  {where}:{code.co_firstlineno} {code.co_name}")


def around_only(app, args):
    prepared = [
        [ready_browser(app, block * args.per_block + n) for n in range(args.per_block)]
        for block in range(max(args.prepared, args.blocks))
    ]
    per_sign_in = []
    for block in range(args.blocks):
        started = time.process_time()
        for browser, body in prepared[block]:
            sign_in(browser, body)
        per_sign_in.append((time.process_time() - started) * 1e3 / args.per_block)
    print(
        f"CPU per sign-in without the hash {statistics.median(per_sign_in):.2f} ms "
        f"(median of {args.blocks} blocks, min {min(per_sign_in):.2f} ms)"
    )


if __name__ == "__main__":
    main()
