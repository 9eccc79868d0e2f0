"""Throughput of the signed-in tenant home page, compared with a bare Django view (benchmarks/README.md).

    .venv/bin/python benchmarks/run.py [--name NAME] [--duration 10] [--rounds 3]

Recreates the portail_bench database, seeds the demo data, serves both applications with gunicorn on
loopback, loads them in turn with wrk, writes benchmarks/results/<name>.json and exits 1 when the
tenant/bare ratio is under the target or a run had errors.
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
sys.path.insert(0, str(ROOT))

from portal.settings import bench  # noqa: E402  (the database and cache names, from one place)

TARGET_RATIO = 0.45
TENANT_SETTINGS, BARE_SETTINGS = "portal.settings.bench", "portal.settings.bench_bare"
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
TENANT_PATH, SIGN_IN_PATH = "/poste/", "/poste/sign-in/"
DEMO_IDENTIFIER, DEMO_PASSWORD, DEMO_GREETING = "E100001", "Demo-Portal-2026", "Camille"


def log(message):
    print(f"[bench] {message}", flush=True)


def child_env(settings_module):
    return {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONDONTWRITEBYTECODE": "1"}


def prepare_database():
    import psycopg
    import redis

    name = bench.BENCH_DATABASE_NAME
    with psycopg.connect(ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(bench.BENCH_REDIS_CACHE_URL).flushdb()
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo", "--force"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT, env=child_env(TENANT_SETTINGS), capture_output=True, text=True,
        )
        if done.returncode:
            sys.exit(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, process, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not listen on port {port} within {timeout:.0f}s")


@contextlib.contextmanager
def gunicorn(settings_module, gunicorn_args, log_path):
    """A gunicorn serving portal.wsgi with these settings; stopped (its whole group) on exit."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "portal.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--error-logfile", str(log_path), *gunicorn_args,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=child_env(settings_module), start_new_session=True)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        if process.poll() is None:
            process.terminate()  # graceful: the master stops its workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def sign_in(base_url):
    """A real sign-in through the form; returns the Cookie header a browser would send afterwards."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base_url + SIGN_IN_PATH, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token in the sign-in page")
    form = {"username": DEMO_IDENTIFIER, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    opener.open(base_url + SIGN_IN_PATH, data=urllib.parse.urlencode(form).encode(), timeout=10).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"the sign-in did not set a session cookie (cookies: {sorted(cookies)})")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch(url, headers, expect):
    """One plain request, as wrk will send it: must answer 200 with `expect` in the body."""
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # raises on 4xx/5xx
        body = response.read()
        if response.status != 200 or response.url != url or expect.encode() not in body:
            raise RuntimeError(f"{url} answered {response.status} from {response.url} without {expect!r}")
    return len(body)


def wrk(url, headers, args, duration):
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "5s"]
    command += ["-s", str(HERE / "summary.lua"), url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    result = json.loads(re.search(r"^BENCH_JSON (.*)$", output, re.MULTILINE).group(1))
    result["rps"] = round(result["requests"] / (result["duration_us"] / 1e6), 1)
    result["errors"] = sum(value for key, value in result.items() if key.startswith("errors_"))
    return result


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", default=datetime.now(UTC).strftime("%Y%m%d-%H%M%S"), help="results/<name>.json")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load per server first")
    parser.add_argument("--rounds", type=int, default=3, help="measured runs per app; the median counts")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (both apps)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (both apps)")
    return parser.parse_args()


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks stop gunicorn
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    worker_class = "gthread" if args.threads > 1 else "sync"
    gunicorn_args = ["--workers", str(args.workers), "--threads", str(args.threads), "--worker-class", worker_class]

    log(f"recreating database {bench.BENCH_DATABASE_NAME}, migrating, seeding")
    prepare_database()
    apps = {}
    with contextlib.ExitStack() as stack:
        for app, settings_module in (("tenant", TENANT_SETTINGS), ("bare", BARE_SETTINGS)):
            log_path = results_dir / f"{args.name}-{app}-gunicorn.log"
            apps[app] = {"settings": settings_module, "url": stack.enter_context(
                gunicorn(settings_module, gunicorn_args, log_path)) + (TENANT_PATH if app == "tenant" else "/")}
        tenant, bare = apps["tenant"], apps["bare"]
        tenant["headers"] = {"Cookie": sign_in(tenant["url"].removesuffix(TENANT_PATH))}
        bare["headers"] = {}
        tenant["body_bytes"] = fetch(tenant["url"], tenant["headers"], DEMO_GREETING)
        bare["body_bytes"] = fetch(bare["url"], bare["headers"], "Hello")
        log(f"signed in; {TENANT_PATH} greets {DEMO_GREETING} ({tenant['body_bytes']} bytes)")

        for app in apps.values():
            wrk(app["url"], app["headers"], args, args.warmup)
            app["runs"] = []
        for round_number in range(1, args.rounds + 1):
            for name, app in apps.items():  # alternate, so drift on the machine hits both alike
                run = wrk(app["url"], app["headers"], args, args.duration)
                app["runs"].append(run)
                log(f"round {round_number} {name:6} {run['rps']:8.1f} req/s  p99 {run['latency_p99_ms']} ms"
                    f"  errors {run['errors']}")
        fetch(tenant["url"], tenant["headers"], DEMO_GREETING)  # still signed in after the load

    for app in apps.values():
        app["rps"] = statistics.median(run["rps"] for run in app["runs"])
        app["errors"] = sum(run["errors"] for run in app["runs"])
        del app["headers"]  # the session cookie is not a result
    ratio = round(tenant["rps"] / bare["rps"], 3)
    passed = ratio >= TARGET_RATIO and not tenant["errors"] and not bare["errors"]
    report = {
        "name": args.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                 text=True).stdout.strip(),
        "gunicorn": gunicorn_args,
        "wrk": {"threads": args.wrk_threads, "connections": args.connections, "duration_s": args.duration,
                "warmup_s": args.warmup, "rounds": args.rounds},
        "apps": apps,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "passed": passed,
    }
    path = results_dir / f"{args.name}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    log(f"tenant {tenant['rps']:.1f} req/s, bare {bare['rps']:.1f} req/s, ratio {ratio:.3f} "
        f"(target {TARGET_RATIO}) -> {'PASS' if passed else 'FAIL'}; {path.relative_to(ROOT)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
