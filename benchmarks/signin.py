"""The cost of a sign-in: 200 distinct accounts sign in at once through the real page, beside the raw
Argon2id verify rate of the same machine, measured in the same run (benchmarks/README.md).

    .venv/bin/python benchmarks/signin.py [--accounts 200] [--concurrency 16] [--workers N] [--rounds 3]
                                          [--slices 5] [--client socket] [--hash-probe]
                                          [--what-if PATCHES]

Recreates the portail_bench database (PostgreSQL; PORTAIL_BENCH_DB and PORTAIL_BENCH_REDIS, read by
portal.settings.bench, name another database and Redis database) with the demo data plus the
accounts, serves the portal with gunicorn (sync workers, one per core by default) on loopback, and
exits 1 when the CPU ratio (worker CPU per raw verify / worker CPU per sign-in) is under 0.85: the
work around the hash costs at most 15 % of the hash (2 when a server or a check failed). In each
round the raw verifies and the sign-ins alternate in --slices slices, so that the shared machine's
changes of speed weigh on both alike. --hash-probe also splits the workers' CPU into the hash and the
work around it, in the same sign-ins. With --what-if, the server runs with benchmarks/what_if.py
patches.
"""

import argparse
import concurrent.futures
import http.client
import json
import multiprocessing
import os
import re
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import (  # noqa: E402
    RESULTS,
    child_env,
    gunicorn,
    log,
    prepare_database,
    workers_cpu_seconds,
)
from portal.settings import bench  # noqa: E402  (the database and cache names, from one place)

# Worker CPU per raw verify / worker CPU per sign-in: the CPU, not the rate, because the client
# threads share the cores with the workers during the sign-ins but not during the raw verifies.
TARGET = 0.85
TENANT = "poste"
SIGN_IN_PATH = f"/{TENANT}/sign-in/"
# A generated, obviously fictional password of the benchmark's own accounts (never a real secret).
BENCH_PASSWORD = "Bench-Sign-In-Only-2026"  # noqa: S105
MEMBERS_AT_A_VOTE = 2000

CREATE_ACCOUNTS = """
from accounts.hashers import PortailArgon2Hasher
from accounts.models import User
from portal.models import Tenant

tenant = Tenant.objects.get(slug={tenant!r})
encoded = PortailArgon2Hasher().encode({password!r}, PortailArgon2Hasher().salt())
User.objects.bulk_create(
    User(tenant=tenant, identifier=f"B{{n:06d}}", email=f"b{{n:06d}}@bench.example", password=encoded)
    for n in range({count})
)
print(encoded)
"""


def create_accounts(count):
    """The accounts share one real Argon2id hash (the cost of checking it is the same for each)."""
    script = CREATE_ACCOUNTS.format(tenant=TENANT, password=BENCH_PASSWORD, count=count)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=child_env("portal.settings.bench"),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"creating the accounts failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


def _verify_for(encoded, seconds, totals):
    from django.conf import settings

    settings.configure(PASSWORD_HASHERS=["accounts.hashers.PortailArgon2Hasher"])
    from accounts.hashers import PortailArgon2Hasher

    hasher, done = PortailArgon2Hasher(), 0
    # Not counted: a new process's first verify also faults in the 19 MiB it works in (a gunicorn
    # worker's were faulted in long before); with short slices it would weigh on the raw side.
    hasher.verify(BENCH_PASSWORD, encoded)
    started_cpu, started = time.process_time(), time.monotonic()
    deadline = started + seconds
    while time.monotonic() < deadline:
        if not hasher.verify(BENCH_PASSWORD, encoded):
            raise RuntimeError("the bench hash does not verify")
        done += 1
    elapsed, cpu = time.monotonic() - started, time.process_time() - started_cpu
    with totals.get_lock():  # verifies, verifies per second of this process's loop, CPU seconds
        totals[0] += done
        totals[1] += done / elapsed
        totals[2] += cpu


def raw_verifies(encoded, processes, seconds):
    """Argon2id verifies for `seconds` in `processes` processes, as many as gunicorn has workers:
    (verifies, verifies per second, CPU seconds of the verifying processes). The rate and the CPU
    are the verify loops' own, without the processes' start."""
    totals = multiprocessing.Array("d", 3)
    workers = [
        multiprocessing.Process(target=_verify_for, args=(encoded, seconds, totals)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if any(worker.exitcode for worker in workers):
        raise RuntimeError("a verify process failed")
    return int(totals[0]), totals[1], totals[2]


class Browser:
    """One person's cookies and connection, as a browser keeps them."""

    def __init__(self, port):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response, content


def open_sign_in_page(port):
    browser = Browser(port)
    response, content = browser.request("GET", SIGN_IN_PATH)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
    if response.status != 200 or token is None:
        raise RuntimeError(f"the sign-in page answered {response.status} without a CSRF token")
    return browser, token.group(1).decode()


def sign_in(port, browser, token, identifier):
    """POST the form; returns the seconds it took. A sign-in must redirect and set a session."""
    form = urllib.parse.urlencode(
        {"username": identifier, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"http://127.0.0.1:{port}{SIGN_IN_PATH}",
        "Origin": f"http://127.0.0.1:{port}",
    }
    start = time.monotonic()
    response, _content = browser.request("POST", SIGN_IN_PATH, body=form, headers=headers)
    elapsed = time.monotonic() - start
    if response.status != 302 or "sessionid" not in browser.cookies:
        raise RuntimeError(f"{identifier} was not signed in (status {response.status})")
    return elapsed


def hash_seconds(probe_dir):
    """The workers' CPU in Argon2 so far, from the hash_cpu_probe patch's files (0 without it)."""
    spent = 0.0
    for path in probe_dir.iterdir() if probe_dir else ():
        spent += float(path.read_text() or 0)
    return spent


def _post_request(port, browser, token, identifier):
    """The bytes of one sign-in POST, with the browser's cookies, as http.client would send them."""
    body = urllib.parse.urlencode(
        {"username": identifier, "password": BENCH_PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    head = (
        f"POST {SIGN_IN_PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: identity\r\n"
        f"Content-Length: {len(body)}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Referer: http://127.0.0.1:{port}{SIGN_IN_PATH}\r\nOrigin: http://127.0.0.1:{port}\r\n"
        f"Cookie: {cookies}\r\n\r\n"
    )
    return head.encode() + body


def post_all(port, requests, concurrency):
    """Sends each request on a connection of its own, `concurrency` at a time, from one thread
    waiting on all of them at once; gunicorn's sync workers close the connection after each answer.
    Returns the answers and the seconds each took, connection included."""
    selector = selectors.DefaultSelector()
    waiting = list(enumerate(requests))[::-1]
    answers, latencies = [b""] * len(requests), [0.0] * len(requests)

    def send_next():
        number, data = waiting.pop()
        started = time.monotonic()
        connection = socket.create_connection(("127.0.0.1", port), timeout=60)
        connection.sendall(data)  # a few hundred bytes: the socket's buffer takes them at once
        connection.setblocking(False)
        selector.register(connection, selectors.EVENT_READ, (number, [], started))

    for _n in range(min(concurrency, len(waiting))):
        send_next()
    while selector.get_map():
        events = selector.select(timeout=60)
        if not events:
            raise RuntimeError("a sign-in got no answer in 60 s")
        for key, _mask in events:
            number, chunks, started = key.data
            chunk = key.fileobj.recv(65536)
            if chunk:
                chunks.append(chunk)
                continue
            latencies[number] = time.monotonic() - started
            selector.unregister(key.fileobj)
            key.fileobj.close()
            answers[number] = b"".join(chunks)
            if waiting:
                send_next()
    selector.close()
    return answers, latencies


def check_signed_in(answer, identifier):
    """A sign-in must redirect and set a session cookie."""
    head = answer.split(b"\r\n\r\n", 1)[0]
    status = head.split(b"\r\n", 1)[0]
    if b" 302 " not in status or b"\r\nSet-Cookie: sessionid=" not in head:
        raise RuntimeError(f"{identifier} was not signed in ({status.decode(errors='replace')})")


def sign_in_slice(port, master_pid, numbers, concurrency, probe_dir=None, client="socket"):
    """The accounts `numbers` open the page first (not timed), then all sign in at once:
    (latencies, elapsed seconds, worker CPU seconds, of which in Argon2 when probed).

    The default client ("socket") sends requests built beforehand from one thread and checks the
    answers after the workers' CPU is read: about a quarter of the CPU of the "threads" client
    (http.client in --concurrency threads, cookies parsed as they come), whose work shares the two
    cores with the workers and evicts their caches (benchmarks/README.md, "Sign-in: the client,
    settings and the one backend")."""
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        pages = list(pool.map(lambda _n: open_sign_in_page(port), numbers))
    identifiers = [f"B{n:06d}" for n in numbers]
    requests = [
        _post_request(port, browser, token, i) for (browser, token), i in zip(pages, identifiers, strict=True)
    ]
    for browser, _token in pages:
        browser.connection.close()
    hashed_before = hash_seconds(probe_dir)
    cpu_before = workers_cpu_seconds(master_pid)
    start = time.monotonic()
    if client == "socket":
        answers, latencies = post_all(port, requests, concurrency)
    else:
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            latencies = list(pool.map(lambda page, i: sign_in(port, page[0], page[1], i), pages, identifiers))
    elapsed = time.monotonic() - start
    cpu = workers_cpu_seconds(master_pid) - cpu_before
    in_hash = hash_seconds(probe_dir) - hashed_before
    if client == "socket":
        for answer, identifier in zip(answers, identifiers, strict=True):
            check_signed_in(answer, identifier)
    else:
        for browser, _token in pages:
            browser.connection.close()
    return latencies, elapsed, cpu, in_hash


def one_round(port, master_pid, encoded, args, probe_dir=None):
    """Every account signs in once, and the raw verifies run for --raw-seconds, in --slices
    alternating slices (raw verifies, then a slice of the accounts), so that a change in the shared
    machine's speed during the round weighs on both sides alike."""
    latencies, elapsed, cpu, in_hash = [], 0.0, 0.0, 0.0
    verifies, raw_seconds, raw_cpu = 0, 0.0, 0.0
    for part in range(args.slices):
        done, rate, spent = raw_verifies(encoded, args.workers, args.raw_seconds / args.slices)
        if not done:
            raise RuntimeError(f"no raw verify finished in {args.raw_seconds / args.slices:.2f} s")
        verifies, raw_seconds, raw_cpu = verifies + done, raw_seconds + done / rate, raw_cpu + spent
        numbers = range(part * args.accounts // args.slices, (part + 1) * args.accounts // args.slices)
        times, seconds, spent, spent_hashing = sign_in_slice(
            port, master_pid, numbers, args.concurrency, probe_dir, args.client
        )
        latencies += times
        elapsed, cpu, in_hash = elapsed + seconds, cpu + spent, in_hash + spent_hashing
    latencies.sort()
    accounts = len(latencies)
    run = {
        "sign_ins_per_second": round(accounts / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1e3),
        "p95_ms": round(latencies[int(0.95 * (accounts - 1))] * 1e3),
        "worker_cpu_ms_per_sign_in": round(cpu * 1e3 / accounts, 2),
        "raw_verifies_per_second": round(verifies / raw_seconds, 1),
        "raw_cpu_ms_per_verify": round(raw_cpu * 1e3 / max(verifies, 1), 2),
    }
    run["ratio"] = round(run["sign_ins_per_second"] / run["raw_verifies_per_second"], 3)
    run["cpu_ratio"] = round(run["raw_cpu_ms_per_verify"] / run["worker_cpu_ms_per_sign_in"], 3)
    if probe_dir:
        run["worker_cpu_ms_in_hash"] = round(in_hash * 1e3 / accounts, 2)
        run["worker_cpu_ms_around_hash"] = round((cpu - in_hash) * 1e3 / accounts, 2)
        run["around_share_of_hash"] = round((cpu - in_hash) / in_hash, 3)
    return run


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--name", default="signin-" + datetime.now(UTC).strftime("%Y%m%d-%H%M%S"), help="results/<name>.json")
    add("--accounts", type=int, default=200, help="distinct accounts signing in at once (default 200)")
    add("--concurrency", type=int, default=16, help="sign-ins in flight at a time (default 16)")
    add("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn sync workers (default: cores)")
    add("--rounds", type=int, default=3, help="rounds of sign-ins and raw verifies; medians count")
    add("--raw-seconds", type=float, default=5.0, help="seconds of raw verifying per round (default 5)")
    add(
        "--slices",
        type=int,
        default=5,
        help="raw verifies and sign-ins alternate this often per round",
    )
    add(
        "--client",
        choices=("socket", "threads"),
        default="socket",
        help="socket: prepared requests from one thread (default); threads: http.client in threads",
    )
    add("--hash-probe", action="store_true", help="also time the hash inside the workers (what_if)")
    add("--what-if", default="", help="benchmarks/what_if.py patches for the server (comma-separated)")
    return parser.parse_args()


def main():
    args = parse_args()
    RESULTS.mkdir(exist_ok=True)
    log(f"recreating {bench.BENCH_DATABASE_NAME} with the demo data (cache {bench.BENCH_REDIS_CACHE_URL})")
    prepare_database(bench, [["seed_demo", "--force"]])
    encoded = create_accounts(args.accounts)
    log(f"{args.accounts} accounts, Argon2id {encoded.split('$')[3]}")
    probe_dir, patches = None, args.what_if
    if args.hash_probe:
        probe_dir = Path(tempfile.mkdtemp(prefix="signin-hash-"))
        os.environ["BENCH_HASH_PROBE_DIR"] = str(probe_dir)  # the workers' environment (child_env)
        patches = ",".join(filter(None, [patches, "hash_cpu_probe"]))
    gunicorn_args = ["--workers", str(args.workers), "--worker-class", "sync", "--log-level", "warning"]
    rounds = []
    try:
        log_path = RESULTS / f"{args.name}-gunicorn.log"
        with gunicorn("portal.settings.bench", gunicorn_args, log_path, patches) as (root, master_pid):
            port = int(root.rsplit(":", 1)[1])
            warm_up = range(min(args.accounts, 10))
            sign_in_slice(port, master_pid, warm_up, args.concurrency, client=args.client)
            for number in range(1, args.rounds + 1):
                run = one_round(port, master_pid, encoded, args, probe_dir)
                rounds.append(run)
                log(
                    f"round {number}: {run['sign_ins_per_second']:6.1f} sign-ins/s, "
                    f"raw verify {run['raw_verifies_per_second']:6.1f}/s, "
                    f"ratio {run['ratio']:.3f}; CPU {run['worker_cpu_ms_per_sign_in']} ms per sign-in, "
                    f"{run['raw_cpu_ms_per_verify']} ms per verify ({run['cpu_ratio']:.3f}); "
                    f"p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms"
                    + (
                        f"; in the workers' hash {run['worker_cpu_ms_in_hash']} ms, around it "
                        f"{run['worker_cpu_ms_around_hash']} ms ({run['around_share_of_hash']:.3f} of it)"
                        if probe_dir
                        else ""
                    )
                )
    except RuntimeError as error:
        log(f"failed: {error}")
        return 2
    finally:
        if probe_dir:
            shutil.rmtree(probe_dir, ignore_errors=True)
    summary = {
        key: round(statistics.median(run[key] for run in rounds), 3)
        for key in (
            "sign_ins_per_second",
            "raw_verifies_per_second",
            "ratio",
            "worker_cpu_ms_per_sign_in",
            "raw_cpu_ms_per_verify",
            "cpu_ratio",
            "p50_ms",
            "p95_ms",
        )
    }
    if probe_dir:
        shares = [run["around_share_of_hash"] for run in rounds]
        summary["around_share_of_hash"] = round(statistics.median(shares), 3)
    summary["queue_seconds_for_2000_members"] = round(MEMBERS_AT_A_VOTE / summary["sign_ins_per_second"], 1)
    result = {
        "name": args.name,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "args": vars(args),
        "hasher": encoded.split("$")[3],
        "rounds": rounds,
        "summary": summary,
        "target_cpu_ratio": TARGET,
        "what_if": args.what_if,
    }
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2) + "\n")
    log(
        f"median: {summary['sign_ins_per_second']} sign-ins/s against {summary['raw_verifies_per_second']} "
        f"raw verifies/s: ratio {summary['ratio']}; p95 {summary['p95_ms']} ms"
    )
    log(
        f"median CPU: {summary['worker_cpu_ms_per_sign_in']} ms per sign-in against "
        f"{summary['raw_cpu_ms_per_verify']} ms per raw verify: CPU ratio {summary['cpu_ratio']} "
        f"(target >= {TARGET})"
    )
    if probe_dir:
        share = summary["around_share_of_hash"]
        log(
            f"median share of the work around the hash, in the same sign-ins: {share} "
            f"(a CPU ratio of {1 / (1 + share):.3f})"
        )
    log(
        f"{MEMBERS_AT_A_VOTE} members signing in at a vote's opening are all in within "
        f"{summary['queue_seconds_for_2000_members']} s"
    )
    return 0 if summary["cpu_ratio"] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
