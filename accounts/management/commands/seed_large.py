"""A big tenant for measuring the help desk: people, audit entries, outbox rows and sign-in locks,
inserted in batches (bulk_create, no per-row save, no audit of the seeding itself). Every name in it
is fictional; the people cannot sign in (unusable password)."""

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts import lockout
from accounts.models import SignInLock, User
from accounts.search import search_name_of
from portal.audit import known_actions
from portal.models import AuditEntry, OutboundEmail, Tenant

BATCH = 5_000
FIRST = ["Marie", "Jean", "Loïc", "Héloïse", "Paul", "Nathalie", "François", "Chloé", "Luc", "Amélie"]
LAST = ["Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gélinas"]


class Command(BaseCommand):
    help = (
        "Add many fictional people, audit entries, outbox rows and locks to one tenant, for the help "
        "desk benchmark. Refused when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tenant", required=True, help="The slug of an existing tenant.")
        parser.add_argument("--people", type=int, default=0)
        parser.add_argument("--audit", type=int, default=0)
        parser.add_argument("--outbox", type=int, default=0)
        parser.add_argument("--locks", type=int, default=0)
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args, tenant, people, audit, outbox, locks, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_large fills a tenant with fictional rows; DEBUG is off. Use --force.")
        try:
            tenant = Tenant.objects.get(slug=tenant)
        except Tenant.DoesNotExist:
            raise CommandError(f"No tenant {tenant!r}.") from None
        rng = random.Random(11)
        start = User.objects.filter(tenant=tenant, identifier__startswith="L").count()
        ids = self._people(tenant, people, start, rng)
        if not ids:
            ids = list(User.objects.filter(tenant=tenant).values_list("pk", flat=True)[:10_000])
        self._audit(tenant, audit, ids, rng)
        self._outbox(tenant, outbox, start, rng)
        self._locks(tenant, locks, ids)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in [
                    "accounts_user",
                    "portal_auditentry",
                    "portal_outboundemail",
                    "accounts_signinlock",
                ]:
                    cursor.execute(f"ANALYZE {table}")
        self.stdout.write(
            f"{tenant.slug}: +{people} people, +{audit} audit, +{outbox} outbox, +{locks} locks"
        )

    def _batches(self, total, make):
        for first in range(0, total, BATCH):
            with transaction.atomic():
                make(range(first, min(first + BATCH, total)))

    def _people(self, tenant, total, start, rng):
        ids = []
        unusable = make_password(None)  # nobody signs in as a seeded person

        def make(numbers):
            rows = []
            for n in numbers:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                rows.append(
                    User(
                        tenant=tenant,
                        identifier=f"L{start + n:07d}",
                        email=f"l{start + n:07d}@large.example",
                        first_name=first,
                        last_name=last,
                        search_name=search_name_of(first, last),
                        password=unusable,
                    )
                )
            # tenant-guard: every row is built with tenant=tenant
            created = User.objects.bulk_create(rows)
            ids.extend(u.pk for u in created if u.pk is not None)

        self._batches(total, make)
        if total and not ids:  # a database that does not return the keys of a bulk insert
            ids = list(
                User.objects.filter(tenant=tenant, identifier__startswith="L").values_list("pk", flat=True)
            )
        return ids

    def _audit(self, tenant, total, ids, rng):
        actions = sorted(known_actions())
        now = timezone.now()

        def make(numbers):
            rows = []
            for _n in numbers:
                target = rng.choice(ids) if ids else None
                rows.append(
                    AuditEntry(
                        tenant=tenant,
                        actor_label="seed",
                        action=rng.choice(actions),
                        target_type="accounts.user" if target else "",
                        target_id=str(target) if target else "",
                        target_label=f"person {target}" if target else "",
                        ip_address=f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                        created_at=now - timedelta(seconds=rng.randrange(2 * 365 * 86400)),
                    )
                )
            # tenant-guard: every row is built with tenant=tenant
            AuditEntry.objects.bulk_create(rows)

        self._batches(total, make)

    def _outbox(self, tenant, total, start, rng):
        now = timezone.now()

        def make(numbers):
            # tenant-guard: every row is built with tenant=tenant
            OutboundEmail.objects.bulk_create(
                OutboundEmail(
                    tenant=tenant,
                    to=f"l{start + rng.randrange(max(total, 1)):07d}@large.example",
                    language="fr",
                    template="password_reset",
                    subject="Nouveau mot de passe",
                    status=OutboundEmail.Status.SENT,
                    created_at=now - timedelta(seconds=rng.randrange(365 * 86400)),
                )
                for _n in numbers
            )

        self._batches(total, make)

    def _locks(self, tenant, total, ids):
        now = timezone.now()
        people = User.objects.filter(tenant=tenant, is_staff=False).only("pk").order_by("pk")

        def make(numbers):
            chosen = people[numbers.start : numbers.stop]
            # tenant-guard: every row is built with tenant=tenant
            SignInLock.objects.bulk_create(
                (
                    SignInLock(
                        tenant=tenant,
                        user=person,  # the account's own count, as the guard writes it
                        key_digest=lockout.lock_key(tenant, user=person),
                        failures=5,
                        first_failure_at=now,
                        locked_until=now + timedelta(minutes=15) if person.pk % 3 == 0 else None,
                    )
                    for person in chosen
                ),
                ignore_conflicts=True,
            )

        self._batches(min(total, len(ids)), make)
