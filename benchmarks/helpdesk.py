"""Every help-desk list, filter, search and history page, on the demo data and then on a large tenant.

    .venv/bin/python benchmarks/helpdesk.py [--requests 30] [--people 200000] [--audit 2000000] \
        [--outbox 500000] [--locks 300000] [--database portail_bench_scale]

Drops and recreates its own PostgreSQL database (--database, default portail_bench_scale), migrates,
loads the demo (seed_demo), measures each page through the test client signed in as the demo help
desk of `poste` (p50/p95 in ms over --requests requests, after one warm-up request), then adds the
large data to `poste` (seed_large) and measures again. Prints a Markdown table to stdout.
"""

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "portail_bench_scale"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")


def recreate_database(database):
    for statement in [f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"]:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", statement], check=True)


def pages(person_pk, ip_address):
    from datetime import timedelta

    from django.utils import timezone

    week_ago = (timezone.now() - timedelta(days=7)).replace(microsecond=0).isoformat(sep=" ")
    base = "/poste/admin/"
    users, log, outbox = f"{base}accounts/user/", f"{base}portal/auditentry/", f"{base}portal/outboundemail/"
    return [
        ("people list", users, {}),
        ('people, search "tremblay"', users, {"q": "tremblay"}),
        ("people, search an identifier", users, {"q": "L0000042"}),
        ("people, filter locked", users, {"lock": "locked"}),
        ("one person's page", f"{users}{person_pk}/change/", {}),
        ("audit log list", log, {}),
        ("audit log, filter by action", log, {"action": "account.unlocked"}),
        ("audit log, past 7 days", log, {"created_at__gte": week_ago}),
        ("audit log, search by address", log, {"q": ip_address}),
        ("audit history of one person", log, {"target_type": "accounts.user", "target_id": person_pk}),
        ("audit log, last page", log, {"p": "99"}),
        ("outbox list", outbox, {}),
        ("outbox, search an address", outbox, {"q": "l0000042@large.example"}),
    ]


def measure(client, requests):
    from accounts.models import User
    from portal.models import AuditEntry, Tenant

    tenant = Tenant.objects.get(slug="poste")
    person = User.objects.filter(tenant=tenant, is_staff=False).order_by("-pk").first()
    entry = AuditEntry.objects.filter(tenant=tenant, ip_address__isnull=False).order_by("-created_at").first()
    ip_address = entry.ip_address if entry else "10.0.0.1"
    results = {}
    for name, url, query in pages(person.pk, ip_address):
        assert client.get(url, query).status_code == 200, (name, url, query)
        times = []
        for _ in range(requests):
            began = time.perf_counter()
            client.get(url, query)
            times.append((time.perf_counter() - began) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        results[name] = (statistics.median(times), p95)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--audit", type=int, default=2_000_000)
    parser.add_argument("--outbox", type=int, default=500_000)
    parser.add_argument("--locks", type=int, default=300_000)
    parser.add_argument("--database", default=DATABASE, help="the PostgreSQL database it drops and recreates")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    recreate_database(args.database)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, stdout=io.StringIO())
    client = Client()
    signed_in = client.post(
        "/poste/admin/login/", {"username": "helpdesk@poste.example", "password": "Demo-Portal-2026"}
    )
    assert signed_in.status_code == 302, "the demo help desk could not sign in"
    small = measure(client, args.requests)
    began = time.perf_counter()
    call_command(
        "seed_large",
        tenant="poste",
        people=args.people,
        audit=args.audit,
        outbox=args.outbox,
        locks=args.locks,
        force=True,
        stdout=io.StringIO(),
    )
    seeded = time.perf_counter() - began
    large = measure(client, args.requests)
    print(
        f"\nLarge data: {args.people:,} people, {args.audit:,} audit rows, {args.outbox:,} outbox rows, "
        f"{args.locks:,} locks (seeded in {seeded:.0f} s); {args.requests} requests per page.\n"
    )
    print("| page | demo p50/p95 ms | large p50/p95 ms |")
    print("| --- | --- | --- |")
    for name, (p50, p95) in small.items():
        l50, l95 = large[name]
        print(f"| {name} | {p50:.0f}/{p95:.0f} | {l50:.0f}/{l95:.0f} |")


if __name__ == "__main__":
    main()
