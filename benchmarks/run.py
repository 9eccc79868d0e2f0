"""Throughput of the signed-in tenant home page, compared with a plain Django signed-in page (the peer)
and a bare Django view (the floor); benchmarks/README.md.

    .venv/bin/python benchmarks/run.py [--name NAME] [--duration 10] [--rounds 3] [--what-if PATCHES]

Recreates the portail_bench and portail_bench_peer databases, seeds the demo data and the peer's one
user, serves the three applications with gunicorn on loopback, loads them in turn with wrk, writes
benchmarks/results/<name>.json and exits 1 when the tenant/peer ratio is under the target or a run had
errors (2 when a server or a check failed).
With --what-if, a third server runs the portal with benchmarks/what_if.py patches, measured in the
same rounds; the target still applies to the unpatched portal.
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
RESULTS = HERE / "results"
sys.path.insert(0, str(ROOT))

from benchmarks import what_if  # noqa: E402
from portal.settings import bench, bench_peer  # noqa: E402  (the database and cache names, from one place)

# Tenant req/s ÷ peer req/s: the signed-in page must serve more than plain Django's.
TARGET_RATIO = 1.2
TENANT_SETTINGS, BARE_SETTINGS = "portal.settings.bench", "portal.settings.bench_bare"
PEER_SETTINGS = "portal.settings.bench_peer"
TENANT_PATH, SIGN_IN_PATH = "/poste/", "/poste/sign-in/"
PEER_PATH, PEER_SIGN_IN_PATH = "/", "/sign-in/"
# The peer's one user, with the demo user's name, so that both pages greet "Camille".
PEER_USER = """
from django.contrib.auth.models import User
User.objects.create_user("E100001", password="Demo-Portal-2026", first_name="Camille", last_name="Tremblay")
"""
DEMO_IDENTIFIER, DEMO_PASSWORD, DEMO_GREETING = "E100001", "Demo-Portal-2026", "Camille"
BARE_BODY = "Hello"


def log(message):
    print(f"[bench] {message}", flush=True)


def child_env(settings_module, **extra):
    return {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "PYTHONDONTWRITEBYTECODE": "1", **extra}


def prepare_database(settings, commands):
    """A fresh database with its data, and an empty cache, for one settings module."""
    import psycopg
    import redis

    db, name = settings.DATABASES["default"], settings.BENCH_DATABASE_NAME
    server = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "dbname": "postgres"}
    with psycopg.connect(**server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(settings.BENCH_REDIS_CACHE_URL).flushdb()
    for command in (["migrate", "--noinput", "-v", "0"], *commands):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=child_env(settings.__name__),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def prepare_databases():
    prepare_database(bench, [["seed_demo", "--force"]])
    prepare_database(bench_peer, [["shell", "-c", PEER_USER]])


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


def has_control_socket():
    from gunicorn.config import KNOWN_SETTINGS

    return any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS)


@contextlib.contextmanager
def gunicorn(settings_module, gunicorn_args, log_path, patches=""):
    """Yields (root URL, master pid) of a gunicorn on a free loopback port; always stopped on exit."""
    port = free_port()
    wsgi = "benchmarks.what_if:application" if patches else "portal.wsgi:application"
    command = [sys.executable, "-m", "gunicorn", wsgi, "--bind", f"127.0.0.1:{port}"]
    command += ["--error-logfile", str(log_path), *gunicorn_args]
    if has_control_socket():
        command.append("--no-control-socket")  # gunicorn >= 24 would share ~/.gunicorn/gunicorn.ctl
    env = child_env(settings_module, BENCH_WHAT_IF=patches)
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        if process.poll() is None:
            process.terminate()  # graceful: the master stops its workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the group start_new_session gave it
                process.wait()


def sign_in(root, sign_in_path):
    """A real sign-in through the form; returns the Cookie header a browser would send afterwards."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(root + sign_in_path, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError("no CSRF token in the sign-in page")
    form = {"username": DEMO_IDENTIFIER, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    opener.open(root + sign_in_path, data=urllib.parse.urlencode(form).encode(), timeout=10).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"the sign-in did not set a session cookie (cookies: {sorted(cookies)})")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch(url, headers, expect):
    """One plain request, as wrk will send it: must answer 200, unredirected, with `expect` in the body.
    Returns the sizes of the body and of the whole response, headers included."""
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:  # raises on 4xx and 5xx
        body = response.read()
        if response.status != 200 or response.url != url or expect.encode() not in body:
            raise RuntimeError(f"{url} answered {response.status} from {response.url} without {expect!r}")
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in response.headers.items()) + "\r\n"
    return len(body), len(head.encode()) + len(body)


def cpu_busy(seconds=1.0):
    """The fraction of the machine's CPU time in use during `seconds` (Linux /proc/stat)."""

    def sample():
        values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    total, idle = sample()
    time.sleep(seconds)
    total2, idle2 = sample()
    return round(1 - (idle2 - idle) / max(total2 - total, 1), 3)


def workers_cpu_seconds(master_pid):
    """User + system CPU time spent so far by the workers of a gunicorn master (Linux /proc)."""
    ticks = 0
    for pid in Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split():
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wrk(app, args, duration):
    """One wrk run against app["url"]; exact totals come from benchmarks/summary.lua."""
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{duration}s", "--timeout", "5s"]
    command += ["-s", str(HERE / "summary.lua"), app["url"]]
    for name, value in app["headers"].items():
        command += ["-H", f"{name}: {value}"]
    cpu_before = workers_cpu_seconds(app["pid"])
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    cpu = workers_cpu_seconds(app["pid"]) - cpu_before
    line = re.search(r"^BENCH_JSON (.*)$", done.stdout, re.MULTILINE)
    if line is None:
        raise RuntimeError(f"no summary from wrk:\n{done.stdout}{done.stderr}")
    run = json.loads(line.group(1))
    requests = max(run["requests"], 1)
    run["rps"] = round(run["requests"] / (run["duration_us"] / 1e6), 1)
    run["bytes_per_request"] = round(run["bytes"] / requests)
    run["worker_cpu_ms_per_request"] = round(cpu * 1e3 / requests, 3)
    run["errors"] = sum(value for key, value in run.items() if key.startswith("errors_"))
    if abs(run["bytes_per_request"] - app["response_bytes"]) > max(0.02 * app["response_bytes"], 32):
        run["errors"] += 1  # answers of another size than the checked page: not the page meant
    return run


def measure(args, apps, gunicorn_args):
    """Serves the apps, checks what they answer, then loads them in turn, round after round."""
    with contextlib.ExitStack() as stack:
        for name, app in apps.items():
            log_path = RESULTS / f"{args.name}-{name}-gunicorn.log"
            server = gunicorn(app["settings"], gunicorn_args, log_path, app.get("what_if", ""))
            root, app["pid"] = stack.enter_context(server)
            app["url"] = root + app["path"]
        # One session serves every tenant app: they share the database, the cache and the key.
        cookie = {"Cookie": sign_in(apps["tenant"]["url"].removesuffix(TENANT_PATH), SIGN_IN_PATH)}
        peer_cookie = {"Cookie": sign_in(apps["peer"]["url"].removesuffix(PEER_PATH), PEER_SIGN_IN_PATH)}
        for name, app in apps.items():
            app["headers"] = {"bare": {}, "peer": peer_cookie}.get(name, cookie)
            app["body_bytes"], app["response_bytes"] = fetch(app["url"], app["headers"], app["expect"])
        log(f"signed in: {TENANT_PATH} greets {DEMO_GREETING} ({apps['tenant']['body_bytes']} bytes)")
        log(f"signed in: peer {PEER_PATH} greets {DEMO_GREETING} ({apps['peer']['body_bytes']} bytes)")

        for app in apps.values():
            wrk(app, args, args.warmup)
            app["runs"] = []
        for round_number in range(1, args.rounds + 1):
            for name, app in apps.items():  # in turn, so drift on the machine hits every app alike
                run = wrk(app, args, args.duration)
                app["runs"].append(run)
                log(
                    f"round {round_number} {name:7} {run['rps']:8.1f} req/s"
                    f"  p99 {run['latency_p99_ms']:6.1f} ms"
                    f"  worker CPU {run['worker_cpu_ms_per_request']:.3f} ms/req  errors {run['errors']}"
                )
        for app in apps.values():  # still signed in after the load
            fetch(app["url"], app["headers"], app["expect"])

    for app in apps.values():
        for key in ("rps", "worker_cpu_ms_per_request"):
            app[key] = statistics.median(run[key] for run in app["runs"])
        app["errors"] = sum(run["errors"] for run in app["runs"])


def ratios(app, other):
    """Medians of the round-by-round ratios to the other app: the runs of a round are close in time, so
    a drift in other load on the machine affects them alike. The worker CPU ratio (other's CPU per
    request ÷ app's) is even less sensitive to it."""
    pairs = list(zip(app["runs"], other["runs"], strict=True))
    cpu = "worker_cpu_ms_per_request"
    return {
        "ratio": round(statistics.median(a["rps"] / b["rps"] for a, b in pairs), 3),
        "worker_cpu_ratio": round(statistics.median(b[cpu] / a[cpu] for a, b in pairs), 3),
    }


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--name", default=datetime.now(UTC).strftime("%Y%m%d-%H%M%S"), help="results/<name>.json")
    add("--duration", type=int, default=10, help="seconds per measured wrk run (default 10)")
    add("--warmup", type=int, default=3, help="seconds of unmeasured load per app first (default 3)")
    add("--rounds", type=int, default=3, help="measured runs per app, the median counts (default 3)")
    add("--connections", type=int, default=16, help="wrk connections (default 16)")
    add("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    add("--workers", type=int, default=4, help="gunicorn workers, both apps (default 4)")
    add("--threads", type=int, default=1, help="gunicorn threads per worker, >1: gthread (default 1)")
    add("--what-if", default="", help="also measure the portal with these benchmarks/what_if.py patches")
    args = parser.parse_args()
    unknown = {name for name in args.what_if.split(",") if name} - set(what_if.PATCHES)
    if unknown:
        parser.error(f"unknown --what-if {sorted(unknown)}; known: {sorted(what_if.PATCHES)}")
    return args


def main():
    args = parse_args()
    # Either signal unwinds through the finally blocks that stop gunicorn (even if SIGINT was ignored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    RESULTS.mkdir(exist_ok=True)
    worker_class = "gthread" if args.threads > 1 else "sync"
    gunicorn_args = ["--worker-class", worker_class, "--workers", str(args.workers)]
    gunicorn_args += ["--threads", str(args.threads)]
    tenant = {"settings": TENANT_SETTINGS, "path": TENANT_PATH, "expect": DEMO_GREETING}
    apps = {
        "tenant": tenant,
        "peer": {"settings": PEER_SETTINGS, "path": PEER_PATH, "expect": DEMO_GREETING},
        "bare": {"settings": BARE_SETTINGS, "path": "/", "expect": BARE_BODY},
    }
    if args.what_if:  # the patched portal, measured alongside the real one
        apps["what_if"] = {**tenant, "what_if": args.what_if}

    names = f"{bench.BENCH_DATABASE_NAME} and {bench_peer.BENCH_DATABASE_NAME}"
    log(f"recreating databases {names}, migrating, seeding")
    prepare_databases()
    busy_before = cpu_busy()
    if busy_before > 0.2:
        log(f"warning: the CPUs are {busy_before:.0%} busy before the run; other work will skew the figures")
    error = None
    try:
        measure(args, apps, gunicorn_args)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        log(f"ERROR {error} (gunicorn logs: {RESULTS.relative_to(ROOT)}/{args.name}-*-gunicorn.log)")
    for app in apps.values():  # the session cookie is no result
        for key in ("headers", "pid"):
            app.pop(key, None)

    tenant, peer, bare = apps["tenant"], apps["peer"], apps["bare"]
    result = {"ratio": None}
    if not error:  # "ratio" is against the peer, the goal; the bare view is the floor
        floor = {"tenant": ratios(tenant, bare), "peer": ratios(peer, bare)}
        result = {**ratios(tenant, peer), "floor": floor}
    if "what_if" in apps and not error:
        result["what_if"] = ratios(apps["what_if"], peer)
        result["what_if_vs_tenant"] = ratios(apps["what_if"], tenant)
    errors = any(app.get("errors") for app in apps.values())
    passed = not error and not errors and result["ratio"] >= TARGET_RATIO
    git = ["git", "rev-parse", "--short", "HEAD"]
    report = {
        "name": args.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(git, cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_busy_before": busy_before,
        },
        "gunicorn": gunicorn_args,
        "wrk": {
            "threads": args.wrk_threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rounds": args.rounds,
        },
        "apps": apps,
        **result,
        "target_ratio": TARGET_RATIO,
        "passed": passed,
        "error": error,
    }
    path = RESULTS / f"{args.name}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    if error:
        return 2
    floor = result["floor"]
    log(
        f"tenant {tenant['rps']:.1f} req/s, peer {peer['rps']:.1f} req/s, bare {bare['rps']:.1f} req/s;"
        f" worker CPU per request {tenant['worker_cpu_ms_per_request']:.3f} /"
        f" {peer['worker_cpu_ms_per_request']:.3f} / {bare['worker_cpu_ms_per_request']:.3f} ms"
    )
    log(f"floor (÷ bare): tenant {floor['tenant']['ratio']:.3f}, peer {floor['peer']['ratio']:.3f}")
    log(
        f"tenant ÷ peer {result['ratio']:.3f} (target {TARGET_RATIO}, worker CPU ratio"
        f" {result['worker_cpu_ratio']:.3f}): {'PASS' if passed else 'FAIL'}  -> {path.relative_to(ROOT)}"
    )
    if "what_if" in result:
        log(
            f"what if {args.what_if}: {apps['what_if']['rps']:.1f} req/s,"
            f" ÷ peer {result['what_if']['ratio']:.3f}"
            f" (worker CPU {result['what_if']['worker_cpu_ratio']:.3f}),"
            f" ÷ tenant {result['what_if_vs_tenant']['ratio']:.3f}"
            f" (worker CPU {result['what_if_vs_tenant']['worker_cpu_ratio']:.3f})"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("[bench] interrupted; gunicorn stopped")
