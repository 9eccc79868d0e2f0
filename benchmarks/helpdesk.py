"""Every help-desk list, filter, search and history page, on the demo data and then on a large tenant.

    .venv/bin/python benchmarks/helpdesk.py [--requests 30] [--people 200000] [--audit 2000000] \
        [--outbox 500000] [--locks 300000] [--database portail_bench_scale] [--measure-only] \
        [--write-rounds 3] [--skip "people, filter locked"]

Drops and recreates its own PostgreSQL database (--database, portail_bench_scale unless told), migrates,
loads the demo (seed_demo) and copies it to <database>_demo, then adds the large data to `poste` in
the first (seed_large) and runs VACUUM ANALYZE. Then it measures each page through the test client,
signed in as the demo help desk of `poste`, on both databases side by side: the demo and the large
data take turns request by request (one warm-up round, then --requests), so the noise of a shared
machine falls on both. Prints p50/p95 in ms and the ratio of the p95s, as a Markdown table. With
--measure-only, the two databases a previous run left are migrated and measured as they are, to try a
change to the pages without seeding again. Last, it times inserts into the large audit log with every
index and without the ones added for the help desk (--write-rounds rounds, rolled back).
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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")


def psql(statement):
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", statement], check=True)


def recreate_database(database):
    psql(f"DROP DATABASE IF EXISTS {database}")
    psql(f"CREATE DATABASE {database}")


def pages(person_pk, ip_address, last_page):
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
        ('audit log, search a word ("tremblay")', log, {"q": "tremblay"}),
        ("audit history of one person", log, {"target_type": "accounts.user", "target_id": person_pk}),
        ("audit log, last page", log, {"p": str(last_page)}),
        ("outbox list", outbox, {}),
        ("outbox, search an address", outbox, {"q": "l0000042@large.example"}),
    ]


def pages_of_this_database():
    from accounts.models import User
    from portal import admin as portal_admin
    from portal.models import AuditEntry, Tenant

    tenant = Tenant.objects.get(slug="poste")
    person = User.objects.filter(tenant=tenant, is_staff=False).order_by("-pk").first()
    entry = AuditEntry.objects.filter(tenant=tenant, ip_address__isnull=False).order_by("-created_at").first()
    ip_address = entry.ip_address if entry else "10.0.0.1"
    # The last page the list offers: the demo's own last page, the cap's on the large data.
    per_page = portal_admin.HelpDeskAuditEntryAdmin.list_per_page
    entries = min(AuditEntry.objects.for_tenant(tenant).count(), portal_admin.COUNT_CAP)
    return pages(person.pk, ip_address, max(1, -(-entries // per_page)))


def measure(requests, sides, skip=()):
    """p50/p95 per page and side; the sides (name → database connection and signed-in client) take
    turns, request by request, so the machine's noise falls on both alike."""
    from django.db import connections

    plans = {}
    for side, (wrapper, _client) in sides.items():
        connections["default"] = wrapper
        plans[side] = pages_of_this_database()
    results = {side: {} for side in sides}
    for index, (name, _, _) in enumerate(next(iter(plans.values()))):
        if name in skip:
            continue
        times = {side: [] for side in sides}
        for round_ in range(requests + 1):  # the first round warms up
            for side, (wrapper, client) in sides.items():
                connections["default"] = wrapper
                _, url, query = plans[side][index]
                began = time.perf_counter()
                response = client.get(url, query)
                if round_:
                    times[side].append((time.perf_counter() - began) * 1000)
                else:
                    assert response.status_code == 200, (side, name, url, query, response.status_code)
        for side, taken in times.items():
            taken.sort()
            p95 = taken[min(len(taken) - 1, round(0.95 * len(taken)) - 1)]
            results[side][name] = (statistics.median(taken), p95)
    return results


# The audit log's indexes added for the help desk's lists and word search, whose cost every insert pays.
NEW_AUDIT_INDEXES = {
    "without the trigram indexes": ["audit_actor_label_trgm", "audit_target_label_trgm"],
    "without the three": ["audit_actor_label_trgm", "audit_target_label_trgm", "audit_tenant_created_id"],
    "with every index": [],
}


def measure_writes(rounds, rows=20_000, batch=500):
    """Seconds to insert `rows` audit entries into the large log (bulk inserts of `batch`), with every
    index and without the new ones, the variants taking turns. Each insert runs in a transaction that
    drops the indexes it goes without and is rolled back, so the database is left as it was."""
    from django.db import connection, transaction
    from django.utils import timezone

    from portal.models import AuditEntry, Tenant

    tenant = Tenant.objects.get(slug="poste")
    taken = {variant: [] for variant in NEW_AUDIT_INDEXES}
    for _ in range(rounds):
        for variant, dropped in NEW_AUDIT_INDEXES.items():
            with transaction.atomic():
                with connection.cursor() as cursor:
                    for index in dropped:
                        cursor.execute(f"DROP INDEX {index}")
                began = time.perf_counter()
                for start in range(0, rows, batch):
                    AuditEntry.objects.bulk_create(  # tenant-guard: every row is built with tenant=tenant
                        AuditEntry(
                            tenant=tenant,
                            actor_label=f"agent {n % 50}",
                            action="account.unlocked",
                            target_type="accounts.user",
                            target_id=str(n),
                            target_label=f"Personne Numéro{n}",
                            ip_address=f"10.9.{n % 256}.{n % 200 + 1}",
                            created_at=timezone.now(),
                        )
                        for n in range(start, start + batch)
                    )
                taken[variant].append(time.perf_counter() - began)
                transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM portal_auditentry")  # the rolled-back rows' index entries, for the next run
    return taken


def sign_in():
    from django.test import Client

    client = Client()
    signed_in = client.post(
        "/poste/admin/login/", {"username": "helpdesk@poste.example", "password": "Demo-Portal-2026"}
    )
    assert signed_in.status_code == 302, "the demo help desk could not sign in"
    return client


def connection_to(database):
    """A second connection under the name "default", to the copy of the demo (the demo side)."""
    from django.db import connections

    settings_dict = {**connections["default"].settings_dict, "NAME": database}
    return type(connections["default"])(settings_dict, "default")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--audit", type=int, default=2_000_000)
    parser.add_argument("--outbox", type=int, default=500_000)
    parser.add_argument("--locks", type=int, default=300_000)
    parser.add_argument("--database", default="portail_bench_scale", help="dropped and recreated")
    parser.add_argument("--measure-only", action="store_true", help="measure the databases as they are")
    parser.add_argument("--write-rounds", type=int, default=3, help="rounds of the audit insert timing")
    parser.add_argument("--skip", action="append", default=[], help="a page not to measure (its name)")
    args = parser.parse_args()
    if not args.database.isidentifier():
        parser.error("--database: letters, digits and underscores")
    demo_database = f"{args.database}_demo"

    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
    if not args.measure_only:
        recreate_database(args.database)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections

    settings.ALLOWED_HOSTS = ["*"]
    large, demo = connections["default"], connection_to(demo_database)
    seeded = None
    if args.measure_only:
        for wrapper in (demo, large):  # a change of indexes to try
            connections["default"] = wrapper
            call_command("migrate", verbosity=0)
    else:
        call_command("migrate", verbosity=0)
        call_command("seed_demo", force=True, stdout=io.StringIO())
        connection.close()
        psql(f"DROP DATABASE IF EXISTS {demo_database}")
        psql(f"CREATE DATABASE {demo_database} TEMPLATE {args.database}")
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
        # As the issue measured it, and as autovacuum leaves a table that only grows: the visibility
        # map set, so a list's keys are read from its index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    sides = {}
    for side, wrapper in {"demo": demo, "large": large}.items():
        connections["default"] = wrapper
        sides[side] = (wrapper, sign_in())
    results = measure(args.requests, sides, skip=set(args.skip))
    print(
        f"\nLarge data: {args.people:,} people, {args.audit:,} audit rows, {args.outbox:,} outbox rows, "
        f"{args.locks:,} locks"
        + (f" (seeded in {seeded:.0f} s)" if seeded is not None else " (seeded by an earlier run)")
        + f"; {args.requests} requests per page and side, the sides taking turns.\n"
    )
    print("| page | demo p50/p95 ms | large p50/p95 ms | large p95 / demo p95 |")
    print("| --- | --- | --- | --- |")
    for name, (p50, p95) in results["demo"].items():
        l50, l95 = results["large"][name]
        print(f"| {name} | {p50:.0f}/{p95:.0f} | {l50:.0f}/{l95:.0f} | {l95 / p95:.1f} |")

    if args.write_rounds:
        connections["default"] = large
        writes = measure_writes(args.write_rounds)
        print(
            f"\nInserting 20,000 audit entries into the large log (500 a statement), "
            f"{args.write_rounds} rounds:\n"
        )
        print("| audit indexes | seconds (each round) |\n| --- | --- |")
        for variant, seconds in writes.items():
            print(f"| {variant} | {', '.join(f'{s:.2f}' for s in seconds)} |")


if __name__ == "__main__":
    main()
