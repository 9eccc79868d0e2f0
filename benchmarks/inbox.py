"""The secure conversations inbox against django-postman 4.6, and the inbox as the tenant grows
(issue 12, Performance 1; benchmarks/README.md, "Secure conversations: the inbox against django-postman").

    .venv/bin/pip install -e ".[bench]"          # once: django-postman 4.6, the peer
    .venv/bin/python benchmarks/inbox.py [--duration 10] [--rounds 3] [--name NAME]
    .venv/bin/python benchmarks/inbox.py --profile    # afterwards: CPU per inbox request, in one process

One run, three stages on the same servers (gunicorn, sync, 4 workers each):
1. "30k": the persona participant@poste.example holds 3,000 conversations of 10 messages (30,000
   messages in the tenant); the portal's inbox alone, `--rounds` wrk runs.
2. "0.5M": her conversations grow to 20 messages and 4,400 conversations of 100 messages between
   other people join (500,000 messages); the same data is in postman (3,000 threads for her, the rest
   between other users); the two inboxes are loaded in alternating rounds. Goal: portal req/s >= 8 x
   postman's.
3. "1M": every conversation doubles (1,000,000 messages); the portal's inbox again. Goal: its p95 <=
   1.2 x its p95 at stage 1.

Databases portail_bench_inbox and portail_bench_inbox_postman are recreated; Redis database 9 is
flushed. Writes benchmarks/results/inbox-<name>.json; exits 0 when both goals are met, 1 when one is
missed or a run had errors, 2 when a server or a check failed.
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
RESULTS = HERE / "results"
sys.path.insert(0, str(ROOT))
# Before portal.settings.bench is imported (here and in every child): this benchmark's own database
# and Redis database, so that it can run beside benchmarks/run.py.
os.environ["PORTAIL_BENCH_DB"] = "portail_bench_inbox"
os.environ["PORTAIL_BENCH_REDIS"] = "redis://127.0.0.1:6379/9"

try:
    import postman
except ImportError:
    sys.exit(
        "benchmarks/inbox.py compares with django-postman 4.6, which is not installed. Install it with:\n"
        '    .venv/bin/pip install -e ".[bench]"'
    )

from benchmarks import run  # noqa: E402  (gunicorn, the database reset, CPU sampling: one place)
from portal.settings import bench, bench_postman  # noqa: E402

TARGET_RATIO = 8.0  # portal req/s ÷ postman req/s, at 0.5 M messages
TARGET_P95_GROWTH = 1.2  # portal p95 at 1 M messages ÷ its p95 at 30,000
PORTAL_SETTINGS, POSTMAN_SETTINGS = "portal.settings.bench", "portal.settings.bench_postman"
PORTAL_PATH, PORTAL_SIGN_IN = "/poste/messages/", "/poste/sign-in/"
POSTMAN_PATH, POSTMAN_SIGN_IN = "/messages/inbox/", "/sign-in/"
READER = "participant@poste.example"  # seed_demo's participant (Pascale), her first address
PASSWORD = "Demo-Portal-2026"
READER_CONVERSATIONS, OTHER_CONVERSATIONS = 3000, 4400
COLLABORATORS, OTHER_PEOPLE = 20, 1000
# Messages per conversation at each stage: (hers, the others').
STAGES = {"30k": (10, 0), "0.5M": (20, 100), "1M": (40, 200)}
READER_TITLE, OTHER_TITLE = "Dossier no ", "Échange no "

log = run.log


# The portal's data ------------------------------------------------------------------------------------

# In the portal's process (manage.py shell): after seed_demo, poste's demo conversations go; the
# persona keeps her addresses; 20 collaborators (the demo's among them) and 1,000 other addresses
# (people who never opened an account) join. Prints the ids the SQL below needs.
PORTAL_PEOPLE = """
import json
from django.utils import timezone
from accounts.models import User
from messaging.models import Collaborator, Conversation, Persona
from portal.models import Tenant
tenant = Tenant.objects.get(slug="poste")
Conversation.objects.for_tenant(tenant).delete()
Persona.objects.for_tenant(tenant).update(unread_conversations=0, conversation_count=0)
now = timezone.now()
collaborators = list(Collaborator.objects.for_tenant(tenant).filter(is_active=True).select_related("persona"))
for n in range(len(collaborators), %(collaborators)d):
    email = f"collegue{n:02d}@poste.example"
    user = User.objects.create_user(tenant=tenant, identifier=email, email=email, first_name=f"C{n}")
    persona = Persona.objects.create(tenant=tenant, email=email, user=user, confirmed_at=now)
    collaborators.append(Collaborator.objects.create(tenant=tenant, user=user, persona=persona))
Persona.objects.bulk_create([  # tenant-guard: rows built with their tenant
    Persona(tenant=tenant, email=f"personne{n:04d}@exemple.test") for n in range(%(others)d)
])
others = Persona.objects.for_tenant(tenant).filter(email__endswith="@exemple.test").order_by("email")
reader = Persona.objects.for_tenant(tenant).get(email="%(reader)s")
print("IDS " + json.dumps({
    "tenant": tenant.pk,
    "reader": reader.pk,
    "holders": [c.persona_id for c in collaborators],
    "collaborators": [c.pk for c in collaborators],
    "others": list(others.values_list("pk", flat=True)),
    "expiry_days": tenant.messaging_settings.message_expiry_days,
}))
"""

# Conversations with their two participations, as do_start_conversation leaves them; no messages yet
# (message_count 0: grow() adds them). Conversation i's last activity is i x 10 minutes ago (the
# others' fall between hers); in one conversation out of three the last message waits to be read.
CONVERSATIONS = """
WITH src AS (
    SELECT i, (%(holders)s::bigint[])[i %% %(n_collab)s + 1] AS holder,
           (%(collaborators)s::bigint[])[i %% %(n_collab)s + 1] AS collaborator,
           %(reader_expr)s AS reader,
           %(now)s::timestamptz - (i * %(step)s) * interval '1 minute' AS at
    FROM generate_series(0, %(count)s - 1) AS i
), conv AS (
    INSERT INTO messaging_conversation
        (tenant_id, title, holder_id, collaborator_id, started_by_id, created_at, last_activity_at,
         message_count, files_bytes)
    SELECT %(tenant)s, %(title)s || (10000 + i), holder, collaborator, collaborator,
           at - interval '30 days', at, 0, 0
    FROM src ORDER BY i
    RETURNING id, title, holder_id, created_at, last_activity_at
), numbered AS (
    SELECT conv.*, src.reader, src.i FROM conv JOIN src ON conv.title = %(title)s || (10000 + src.i)
), parts AS (
    INSERT INTO messaging_participation
        (tenant_id, conversation_id, persona_id, unread_count, seen_at, last_activity_at, joined_at)
    SELECT %(tenant)s, id, holder_id, 0, last_activity_at, last_activity_at, created_at FROM numbered
    UNION ALL
    SELECT %(tenant)s, id, reader, CASE WHEN i %% 3 = 0 THEN 1 ELSE 0 END, last_activity_at,
           last_activity_at, created_at
    FROM numbered
    RETURNING 1
)
INSERT INTO messaging_activity (tenant_id, conversation_id, kind, actor_id, actor_label, message_id, at)
SELECT %(tenant)s, numbered.id, 'created', holder_id, p.email, NULL, numbered.created_at
FROM numbered JOIN messaging_persona p ON p.id = holder_id
"""

# Messages k_old .. k_new - 1 counted back from the newest (k = 0, the collaborator's, at the last
# activity; then one hour apart, the reader's and the collaborator's in turn), with what do_post_message
# and do_open_message leave: the POSTED activity, the other participant's opening and its OPENED
# activity, except for the newest message of a conversation whose reader has it unread; then the
# conversation's message_count. Added messages are older than those already there: the last activity,
# the unread counts and the inbox's order do not change as the tenant grows.
GROW = """
WITH m AS (
    INSERT INTO messaging_message (tenant_id, conversation_id, sender_id, body, created_at, expires_at)
    SELECT c.tenant_id, c.id, CASE WHEN k %% 2 = 0 THEN c.holder_id ELSE p.persona_id END,
           CASE WHEN k %% 2 = 0
                THEN 'Suite du dossier « ' || c.title || ' » : message '
                     || (%(k_new)s - k) || ' (banc d’essai).'
                ELSE 'Merci, j’ai bien reçu votre message. Voici ma réponse (banc d’essai).' END,
           c.last_activity_at - k * interval '1 hour',
           c.last_activity_at - k * interval '1 hour' + %(expiry_days)s * interval '1 day'
    FROM messaging_conversation c
    JOIN messaging_participation p ON p.conversation_id = c.id AND p.persona_id <> c.holder_id
    CROSS JOIN generate_series(%(k_old)s, %(k_new)s - 1) AS k
    WHERE c.tenant_id = %(tenant)s AND c.title LIKE %(title)s || '%%' AND c.message_count = %(k_old)s
    ORDER BY c.id, k DESC
    RETURNING id, conversation_id, sender_id, created_at
), o AS (
    INSERT INTO messaging_messageopening (tenant_id, message_id, persona_id, opened_at)
    SELECT %(tenant)s, m.id, p.persona_id, m.created_at + interval '20 minutes'
    FROM m
    JOIN messaging_conversation c ON c.id = m.conversation_id
    JOIN messaging_participation p ON p.conversation_id = m.conversation_id AND p.persona_id <> m.sender_id
    WHERE NOT (m.created_at = c.last_activity_at AND p.unread_count > 0)
    RETURNING message_id, persona_id, opened_at
), posted AS (
    INSERT INTO messaging_activity (tenant_id, conversation_id, kind, actor_id, actor_label, message_id, at)
    SELECT %(tenant)s, m.conversation_id, 'posted', m.sender_id, s.email, m.id, m.created_at
    FROM m JOIN messaging_persona s ON s.id = m.sender_id
    RETURNING 1
), opened AS (
    INSERT INTO messaging_activity (tenant_id, conversation_id, kind, actor_id, actor_label, message_id, at)
    SELECT %(tenant)s, m.conversation_id, 'opened', o.persona_id, s.email, o.message_id, o.opened_at
    FROM o JOIN m ON m.id = o.message_id JOIN messaging_persona s ON s.id = o.persona_id
    RETURNING 1
)
UPDATE messaging_conversation c SET message_count = %(k_new)s
WHERE c.tenant_id = %(tenant)s AND c.title LIKE %(title)s || '%%' AND c.message_count = %(k_old)s
"""

UNREAD_CONVERSATIONS = """
UPDATE messaging_persona p SET unread_conversations = (
    SELECT count(*) FROM messaging_participation x WHERE x.persona_id = p.id AND x.unread_count > 0
), conversation_count = (
    SELECT count(*) FROM messaging_participation x WHERE x.persona_id = p.id
) WHERE p.tenant_id = %(tenant)s
"""


def connect(settings):
    import psycopg

    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"],
        user=db["USER"],
        dbname=settings.BENCH_DATABASE_NAME,
        autocommit=True,
    )


def manage(settings_module, *command):
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=run.child_env(settings_module),
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(command[:2])} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def with_reader(sql, params):
    """The reader column's expression goes into the text of the query (a column, not a value)."""
    return sql.replace("%(reader_expr)s", params.pop("reader_expr")), params


def prepare_portal(now):
    run.prepare_database(bench, [["seed_demo", "--force"]])
    script = PORTAL_PEOPLE % {"collaborators": COLLABORATORS, "others": OTHER_PEOPLE, "reader": READER}
    out = manage(PORTAL_SETTINGS, "shell", "-c", script)
    ids = json.loads(re.search(r"^IDS (.*)$", out, re.MULTILINE).group(1))
    with connect(bench) as conn:
        conn.execute(
            *with_reader(
                CONVERSATIONS,
                {
                    **ids,
                    "n_collab": COLLABORATORS,
                    "reader_expr": str(ids["reader"]),
                    "now": now,
                    "step": 10,
                    "count": READER_CONVERSATIONS,
                    "title": READER_TITLE,
                },
            ),
        )
    return ids


def add_other_conversations(ids, now):
    with connect(bench) as conn:
        conn.execute(
            *with_reader(
                CONVERSATIONS,
                {
                    **ids,
                    "n_collab": COLLABORATORS,
                    "reader_expr": f"(%(others)s::bigint[])[i %% {len(ids['others'])} + 1]",
                    "now": now - timedelta(minutes=3),  # between hers, 7 minutes apart
                    "step": 7,
                    "count": OTHER_CONVERSATIONS,
                    "title": OTHER_TITLE,
                },
            ),
        )


def grow_portal(ids, stage_from, stage_to):
    """Adds the messages between two stages, then VACUUM ANALYZE (autovacuum's work, done now)."""
    started = time.monotonic()
    with connect(bench) as conn:
        for title, k_old, k_new in (
            (READER_TITLE, STAGES[stage_from][0] if stage_from else 0, STAGES[stage_to][0]),
            (OTHER_TITLE, STAGES[stage_from][1] if stage_from else 0, STAGES[stage_to][1]),
        ):
            if k_new > k_old:
                params = {**ids, "title": title, "k_old": k_old, "k_new": k_new}
                conn.execute(GROW, params)
        conn.execute(UNREAD_CONVERSATIONS, ids)
        conn.execute("VACUUM ANALYZE")
        messages = conn.execute(
            "SELECT count(*) FROM messaging_message WHERE tenant_id = %s", (ids["tenant"],)
        ).fetchone()[0]
    log(f"portal: {messages:,} messages in the tenant ({time.monotonic() - started:.0f} s to load)")
    return messages


# The inbox's own queries, EXPLAIN ANALYZE'd at each stage (in the portal's process, through the
# selector the view calls): their plans and times should not move with the number of messages.
EXPLAIN_INBOX = """
import json
from django.db import connection
from django.test.utils import CaptureQueriesContext
from messaging import selectors
from messaging.models import Persona
from portal.models import Tenant
tenant = Tenant.objects.get(slug="poste")
persona = Persona.objects.for_tenant(tenant).get(email="%(reader)s")
with CaptureQueriesContext(connection) as queries:
    selectors.inbox_facts(tenant=tenant, user=persona.user)
    selectors.inbox_page(tenant=tenant, persona=persona, query=selectors.InboxQuery())
plans = []
with connection.cursor() as cursor:
    for query in queries.captured_queries:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
        plan = [row[0] for row in cursor.fetchall()]
        plans.append({"sql": query["sql"][:120], "plan": plan})
print("PLANS " + json.dumps(plans))
"""


def explain_inbox():
    out = manage(PORTAL_SETTINGS, "shell", "-c", EXPLAIN_INBOX % {"reader": READER})
    plans = json.loads(re.search(r"^PLANS (.*)$", out, re.MULTILINE).group(1))
    for plan in plans:
        timing = next((line for line in plan["plan"] if line.startswith("Execution Time")), "?")
        log(f"  {plan['sql'][:60]}...: {plan['plan'][0][:70]}; {timing}")
    return plans


# Postman's data --------------------------------------------------------------------------------------

POSTMAN_PEOPLE = """
import json
from django.contrib.auth.models import User
reader = User.objects.create_user("%(reader)s", password="%(password)s", first_name="Pascale")
User.objects.bulk_create(
    [User(username=f"collegue{n:02d}@poste.example", password="!") for n in range(%(collaborators)d)]
    + [User(username=f"personne{n:04d}@exemple.test", password="!") for n in range(%(others)d)]
)
collaborators = User.objects.filter(username__startswith="collegue").order_by("username")
others = User.objects.filter(username__endswith="@exemple.test").order_by("username")
print("IDS " + json.dumps({
    "reader": reader.pk,
    "collaborators": list(collaborators.values_list("pk", flat=True)),
    "others": list(others.values_list("pk", flat=True)),
}))
"""

# The same threads as the portal's conversations at stage "0.5M": thread t has k messages with ids
# base + t*k .. base + t*k + k - 1, oldest first; the oldest is the thread (postman sets `thread` on the
# first message when it is replied to), each later one answers the one before (`parent`); the
# collaborator writes the newest; a message is read 20 minutes after it is sent and replied to one hour
# after, except the newest of one thread out of three, unread as in the portal.
POSTMAN_THREADS = """
INSERT INTO postman_message
    (id, subject, body, sender_id, recipient_id, email, parent_id, thread_id, sent_at, read_at,
     replied_at, sender_archived, recipient_archived, sender_deleted_at, recipient_deleted_at,
     moderation_status, moderation_by_id, moderation_date, moderation_reason)
SELECT %(base)s + t * %(k)s + (%(k)s - 1 - k),
       %(title)s || (10000 + t),
       CASE WHEN k %% 2 = 0
            THEN 'Suite du dossier « ' || %(title)s || (10000 + t) || ' » : message '
                 || (%(k)s - k) || ' (banc d’essai).'
            ELSE 'Merci, j’ai bien reçu votre message. Voici ma réponse (banc d’essai).' END,
       CASE WHEN k %% 2 = 0 THEN collab ELSE reader END,
       CASE WHEN k %% 2 = 0 THEN reader ELSE collab END,
       '',
       CASE WHEN k = %(k)s - 1 THEN NULL ELSE %(base)s + t * %(k)s + (%(k)s - 2 - k) END,
       %(base)s + t * %(k)s,
       at - k * interval '1 hour',
       CASE WHEN k = 0 AND t %% 3 = 0 THEN NULL ELSE at - k * interval '1 hour' + interval '20 minutes' END,
       CASE WHEN k = 0 THEN NULL ELSE at - (k - 1) * interval '1 hour' END,
       false, false, NULL, NULL, 'a', NULL, at - k * interval '1 hour', ''
FROM (
    SELECT t, (%(collaborators)s::bigint[])[t %% %(n_collab)s + 1] AS collab, %(reader_expr)s AS reader,
           %(now)s::timestamptz - (t * %(step)s) * interval '1 minute' AS at
    FROM generate_series(0, %(count)s - 1) AS t
) AS threads CROSS JOIN generate_series(0, %(k)s - 1) AS k
"""


def prepare_postman(now, stage="0.5M"):
    run.prepare_database(bench_postman, [])
    script = POSTMAN_PEOPLE % {
        "reader": READER,
        "password": PASSWORD,
        "collaborators": COLLABORATORS,
        "others": OTHER_PEOPLE,
    }
    ids = json.loads(re.search(r"^IDS (.*)$", manage(POSTMAN_SETTINGS, "shell", "-c", script), re.M).group(1))
    mine, theirs = STAGES[stage]
    started = time.monotonic()
    with connect(bench_postman) as conn:
        common = {**ids, "n_collab": COLLABORATORS, "now": now}
        conn.execute(
            *with_reader(
                POSTMAN_THREADS,
                {
                    **common,
                    "base": 1,
                    "k": mine,
                    "title": READER_TITLE,
                    "reader_expr": str(ids["reader"]),
                    "count": READER_CONVERSATIONS,
                    "step": 10,
                },
            ),
        )
        conn.execute(
            *with_reader(
                POSTMAN_THREADS,
                {
                    **common,
                    "base": 1 + READER_CONVERSATIONS * mine,
                    "k": theirs,
                    "title": OTHER_TITLE,
                    "reader_expr": f"(%(others)s::bigint[])[t %% {len(ids['others'])} + 1]",
                    "count": OTHER_CONVERSATIONS,
                    "step": 7,
                    "now": now - timedelta(minutes=3),
                },
            ),
        )
        conn.execute("SELECT setval('postman_message_id_seq', (SELECT max(id) FROM postman_message))")
        conn.execute("VACUUM ANALYZE")
        messages = conn.execute("SELECT count(*) FROM postman_message").fetchone()[0]
    log(f"postman: {messages:,} messages ({time.monotonic() - started:.0f} s to load)")
    return messages


# Serving and loading ---------------------------------------------------------------------------------


def sign_in(root, path, identifier):
    """A real sign-in through the form (run.sign_in's, for another person)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(root + path, timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if token is None:
        raise RuntimeError(f"no CSRF token in {path}")
    form = {"username": identifier, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    opener.open(root + path, data=urllib.parse.urlencode(form).encode(), timeout=10).read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"the sign-in at {path} set no session cookie (cookies: {sorted(cookies)})")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def check_page(app):
    """One request as wrk sends it: 200, the expected page (its count of conversations and 10 rows)."""
    request = urllib.request.Request(app["url"], headers=app["headers"])
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read().decode()
        if response.status != 200 or response.url != app["url"]:
            raise RuntimeError(f"{app['url']} answered {response.status} from {response.url}")
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in response.headers.items()) + "\r\n"
    rows = len(re.findall(app["row"], body))
    missing = [text for text in app["expect"] if text not in body]
    if rows != 10 or missing:
        raise RuntimeError(
            f"{app['url']}: {rows} conversations listed (not 10), or {missing} not in the page"
        )
    app["response_bytes"] = len(head.encode()) + len(body.encode())
    return rows


def rounds(args, stage, apps):
    """Warm-up, then args.rounds runs of each app in turn; the medians go in apps[...]["stages"]."""
    plans = explain_inbox()
    for app in apps:
        check_page(app)
        run.wrk(app, args, args.warmup)
    runs = {app["name"]: [] for app in apps}
    for number in range(1, args.rounds + 1):
        for app in apps:
            result = run.wrk(app, args, args.duration)
            runs[app["name"]].append(result)
            log(
                f"{stage:5} round {number} {app['name']:8} {result['rps']:8.1f} req/s"
                f"  p50 {result['latency_p50_ms']:7.1f} ms  p95 {result['latency_p95_ms']:7.1f} ms"
                f"  worker CPU {result['worker_cpu_ms_per_request']:7.3f} ms/req  errors {result['errors']}"
            )
    for app in apps:
        check_page(app)  # still signed in, still the same page
        app_runs = runs[app["name"]]
        app["stages"][stage] = {
            "runs": app_runs,
            **{
                key: statistics.median(r[key] for r in app_runs)
                for key in ("rps", "latency_p50_ms", "latency_p95_ms", "worker_cpu_ms_per_request")
            },
            "errors": sum(r["errors"] for r in app_runs),
            "response_bytes": app["response_bytes"],
        }
        if app["name"] == "portal":
            app["stages"][stage]["plans"] = plans
    return runs


def paired_ratio(a_runs, b_runs, key, invert=False):
    pairs = zip(a_runs, b_runs, strict=True)
    return round(statistics.median((b[key] / a[key]) if invert else (a[key] / b[key]) for a, b in pairs), 3)


def profile():
    """In one process, on the database a run left (no HTTP server): CPU per request of the inbox and
    of the tenant home page, of each selector the inbox calls, and the inbox with every selector
    memoised (an upper bound of what the selectors alone can save); then the top of a cProfile."""
    import cProfile
    import pstats

    os.environ["DJANGO_SETTINGS_MODULE"] = PORTAL_SETTINGS
    import django

    django.setup()
    from django.test import Client

    from messaging import selectors
    from messaging.models import Persona
    from portal.models import Tenant

    client = Client(HTTP_HOST="127.0.0.1")
    client.post(PORTAL_SIGN_IN, {"username": READER, "password": PASSWORD})

    def cpu_ms(call, n=200):
        call()
        best = []
        for _ in range(3):
            start = time.process_time()
            for _ in range(n):
                call()
            best.append((time.process_time() - start) * 1e3 / n)
        return min(best)

    def inbox():
        return client.get(PORTAL_PATH)

    log(f"inbox {cpu_ms(inbox):.2f} ms CPU/request; home page {cpu_ms(lambda: client.get('/poste/')):.2f}")
    tenant = Tenant.objects.get(slug="poste")
    persona = Persona.objects.for_tenant(tenant).get(email=READER)

    def page():
        return selectors.inbox_page(tenant=tenant, persona=persona, query=selectors.InboxQuery()).rows

    calls = {
        "inbox_facts (addresses, collaborator, administrator)": lambda: selectors.inbox_facts(
            tenant=tenant, user=persona.user
        ),
        "inbox_page and its rows": page,
    }
    for name, call in calls.items():
        log(f"  {name}: {cpu_ms(call, 500):.3f} ms")
    originals = {name: getattr(selectors, name) for name in ("inbox_facts", "inbox_page")}
    memo = {}

    def memoised(name):
        def call(**kwargs):
            if name not in memo:
                memo[name] = originals[name](**kwargs)
            return memo[name]

        return call

    for name in originals:
        setattr(selectors, name, memoised(name))
    log(f"inbox with every selector memoised: {cpu_ms(inbox):.2f} ms CPU/request")
    for name, original in originals.items():
        setattr(selectors, name, original)
    profiler = cProfile.Profile()
    profiler.runcall(lambda: [inbox() for _ in range(100)])
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("--name", default=datetime.now(UTC).strftime("%Y%m%d-%H%M%S"), help="results/inbox-<name>.json")
    add("--duration", type=int, default=10, help="seconds per measured wrk run (default 10)")
    add("--warmup", type=int, default=3, help="seconds of unmeasured load per app and stage (default 3)")
    add("--rounds", type=int, default=3, help="measured runs per app and stage (default 3)")
    add("--connections", type=int, default=16, help="wrk connections (default 16)")
    add("--wrk-threads", type=int, default=2, help="wrk threads (default 2)")
    add("--workers", type=int, default=4, help="gunicorn workers, both apps (default 4)")
    add("--profile", action="store_true", help="no run: time the inbox in one process on the last run's data")
    return parser.parse_args()


def main():
    args = parse_args()
    if args.profile:
        return profile()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    RESULTS.mkdir(exist_ok=True)
    gunicorn_args = ["--worker-class", "sync", "--workers", str(args.workers), "--timeout", "120"]
    now = datetime.now(UTC).replace(microsecond=0)
    portal = {
        "name": "portal",
        "settings": PORTAL_SETTINGS,
        "path": PORTAL_PATH,
        # page 1 of 300 (3,000 conversations), 1,000 of them unread (the tab's count)
        "expect": [READER_TITLE, 'page=300"', "1000 non lues"],
        "row": r'href="/poste/messages/\d+/"',
        "stages": {},
    }
    peer = {
        "name": "postman",
        "settings": POSTMAN_SETTINGS,
        "path": POSTMAN_PATH,
        # page 1 of 300 threads, 1,000 unread messages (the menu's count)
        "expect": [READER_TITLE, "1 / 300", "<strong>(1000)</strong>"],
        "row": r'name="tpks"',
        "stages": {},
    }
    log(f"django-postman {postman.__version__}; recreating {bench.BENCH_DATABASE_NAME}, loading stage 30k")
    ids = prepare_portal(now)
    counts = {"30k": grow_portal(ids, None, "30k")}
    # Postman's stage is 0.5M only; loaded now, because its reset flushes the Redis database both use.
    counts["postman"] = prepare_postman(now)
    busy_before = run.cpu_busy()
    if busy_before > 0.2:
        log(f"warning: the CPUs are {busy_before:.0%} busy before the run; other work will skew the figures")
    load = {"before": os.getloadavg()}
    error = None
    try:
        with contextlib.ExitStack() as stack:
            for app in (portal, peer):
                log_path = RESULTS / f"inbox-{args.name}-{app['name']}-gunicorn.log"
                root, app["pid"] = stack.enter_context(run.gunicorn(app["settings"], gunicorn_args, log_path))
                app["root"], app["url"] = root, root + app["path"]
            portal["headers"] = {"Cookie": sign_in(portal["root"], PORTAL_SIGN_IN, READER)}
            rounds(args, "30k", [portal])

            log("growing the portal to 0.5M messages; loading postman")
            add_other_conversations(ids, now)
            counts["0.5M"] = grow_portal(ids, "30k", "0.5M")
            peer["headers"] = {"Cookie": sign_in(peer["root"], POSTMAN_SIGN_IN, READER)}
            load["side_by_side"] = os.getloadavg()
            side = rounds(args, "0.5M", [portal, peer])

            log("growing the portal to 1M messages")
            counts["1M"] = grow_portal(ids, "0.5M", "1M")
            rounds(args, "1M", [portal])
            load["after"] = os.getloadavg()
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        error = f"{type(exc).__name__}: {exc}"
        log(f"ERROR {error} (gunicorn logs: benchmarks/results/inbox-{args.name}-*-gunicorn.log)")

    result = {"error": error, "passed": False}
    if not error:
        ours, theirs = portal["stages"], peer["stages"]
        ratio = paired_ratio(side["portal"], side["postman"], "rps")
        cpu_ratio = paired_ratio(side["portal"], side["postman"], "worker_cpu_ms_per_request", invert=True)
        growth = round(ours["1M"]["latency_p95_ms"] / ours["30k"]["latency_p95_ms"], 3)
        errors = sum(s["errors"] for app in (portal, peer) for s in app["stages"].values())
        result = {
            "ratio": ratio,
            "worker_cpu_ratio": cpu_ratio,
            "p95_growth": growth,
            "errors": errors,
            "passed": errors == 0 and ratio >= TARGET_RATIO and growth <= TARGET_P95_GROWTH,
            "error": None,
        }
    for app in (portal, peer):
        for key in ("headers", "pid", "root"):
            app.pop(key, None)
    git = ["git", "rev-parse", "--short", "HEAD"]
    report = {
        "name": args.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(git, cwd=ROOT, capture_output=True, text=True).stdout.strip(),
        "postman": postman.__version__,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_busy_before": busy_before,
            "loadavg": load,
        },
        "gunicorn": gunicorn_args,
        "wrk": {
            "threads": args.wrk_threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rounds": args.rounds,
        },
        "messages": counts,
        "apps": {"portal": portal, "postman": peer},
        **result,
        "target_ratio": TARGET_RATIO,
        "target_p95_growth": TARGET_P95_GROWTH,
    }
    path = RESULTS / f"inbox-{args.name}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    if error:
        return 2
    ours, theirs = portal["stages"], peer["stages"]
    half_ours, half_theirs = ours["0.5M"], theirs["0.5M"]
    log(
        f"0.5M: portal {half_ours['rps']:.1f} req/s (p50 {half_ours['latency_p50_ms']:.1f}, p95"
        f" {half_ours['latency_p95_ms']:.1f} ms, CPU {half_ours['worker_cpu_ms_per_request']:.2f} ms/req),"
        f" postman {half_theirs['rps']:.1f} req/s (p50 {half_theirs['latency_p50_ms']:.1f}, p95"
        f" {half_theirs['latency_p95_ms']:.1f} ms, CPU {half_theirs['worker_cpu_ms_per_request']:.2f} ms/req)"
    )
    log(
        f"portal ÷ postman {result['ratio']:.2f} (target ≥ {TARGET_RATIO}; worker CPU ratio"
        f" {result['worker_cpu_ratio']:.2f})"
    )
    log(
        f"portal p95: {ours['30k']['latency_p95_ms']:.1f} ms at {counts['30k']:,} messages,"
        f" {ours['1M']['latency_p95_ms']:.1f} ms at {counts['1M']:,}: ÷ {result['p95_growth']:.3f}"
        f" (target ≤ {TARGET_P95_GROWTH})"
    )
    log(f"{'PASS' if result['passed'] else 'FAIL'}  -> {path.relative_to(ROOT)}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("[bench] interrupted; gunicorn stopped")
