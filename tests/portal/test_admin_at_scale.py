"""The audit log and the outbox over millions of rows: the filters offer the declared actions and
mails without reading the log, the count is PostgreSQL's estimate past the cap and stops at the cap
below it, a deep page reads its keys first, a list costs the same queries for a few rows and for many,
the older rows stay reachable by a filter, and the searches look up an address whole."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from portal import admin as portal_admin
from portal.audit import known_actions, record_audit
from portal.models import AuditEntry, OutboundEmail
from tests.factories import UserFactory

LOG = "/alpha/admin/portal/auditentry/"
OUTBOX = "/alpha/admin/portal/outboundemail/"


@pytest.fixture
def desk(client, staff_a):
    client.force_login(staff_a)
    return client


def _count(response):
    return response.context["cl"].result_count


def test_the_action_filter_offers_every_declared_action_without_reading_the_log(desk):
    with CaptureQueriesContext(connection) as queries:
        page = desk.get(LOG)
    assert not [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    choices = {
        c["display"] for spec in page.context["cl"].filter_specs for c in spec.choices(page.context["cl"])
    }
    # A declared action that no entry of this tenant carries yet is offered all the same.
    with translation.override("fr"):
        expected = {str(label) for label in known_actions().values()}
    # Every declared action, even one that no entry of this tenant carries yet ("Tenant created").
    assert expected <= {str(c) for c in choices}


def test_the_action_filter_narrows_the_log(desk, tenant_a, staff_a, user_a):
    record_audit(tenant=tenant_a, actor=staff_a, action="account.unlocked", target=user_a)
    record_audit(tenant=tenant_a, actor=staff_a, action="mail.test_sent", target=user_a)
    assert _count(desk.get(LOG, {"action": "account.unlocked"})) == 1
    assert desk.get(LOG, {"action__exact": "account.unlocked"}).status_code == 400
    assert desk.get(LOG, {"created_at__year": "2020"}).status_code == 400


def test_the_count_stops_at_the_cap(desk, tenant_a, staff_a, monkeypatch):
    monkeypatch.setattr(portal_admin, "COUNT_CAP", 3)
    for _ in range(5):
        record_audit(tenant=tenant_a, actor=staff_a, action="mail.test_sent")
    with CaptureQueriesContext(connection) as queries:
        page = desk.get(LOG)
    assert _count(page) == 3
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "LIMIT" in counts[0].upper()


def test_an_address_is_searched_whole(desk, tenant_a, staff_a, rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    record_audit(tenant=tenant_a, actor=staff_a, action="mail.test_sent", request=request)
    record_audit(
        tenant=tenant_a,
        actor=staff_a,
        action="mail.test_sent",
        request=rf.get("/", REMOTE_ADDR="203.0.113.70"),
    )
    assert _count(desk.get(LOG, {"q": "203.0.113.7"})) == 1
    by_agent = AuditEntry.objects.for_tenant(tenant_a).filter(actor_label__icontains="HELP-A").count()
    assert _count(desk.get(LOG, {"q": "HELP-A"})) == by_agent >= 2


def test_the_outbox_is_searched_by_the_whole_address(desk, tenant_a):
    for to in ["marie@example.org", "marie@example.org.evil", "paul@example.org"]:
        OutboundEmail.objects.create(tenant=tenant_a, to=to, language="fr", template="t", subject="s")
    assert _count(desk.get(OUTBOX, {"q": "Marie@Example.org"})) == 1
    assert _count(desk.get(OUTBOX, {"q": "example"})) == 0


def test_every_entry_stays_reachable_by_date(desk, tenant_a, staff_a):
    record_audit(tenant=tenant_a, actor=staff_a, action="mail.test_sent")
    everyone = AuditEntry.objects.for_tenant(tenant_a).count()
    assert _count(desk.get(LOG)) == everyone
    assert _count(desk.get(LOG, {"created_at__gte": "2000-01-01 00:00:00+00:00"})) == everyone


def _queries_for(desk, url, query=None):
    desk.get(url, query or {})  # the session, the tenant and its settings are read once per process
    with CaptureQueriesContext(connection) as queries:
        page = desk.get(url, query or {})
    assert page.status_code == 200
    return page, [q["sql"] for q in queries]


def _log(tenant, actor, n, action="mail.test_sent"):
    AuditEntry.objects.bulk_create(AuditEntry(tenant=tenant, actor=actor, action=action) for _ in range(n))


@pytest.mark.parametrize("url", [LOG, OUTBOX])
def test_a_list_costs_the_same_queries_for_a_few_rows_and_for_many(desk, tenant_a, staff_a, url):
    _log(tenant_a, staff_a, 3)
    OutboundEmail.objects.bulk_create(
        OutboundEmail(tenant=tenant_a, to=f"p{n}@example.org", language="fr", template="t", subject="s")
        for n in range(3)
    )
    few = len(_queries_for(desk, url)[1])
    _log(tenant_a, staff_a, 120)
    OutboundEmail.objects.bulk_create(
        OutboundEmail(tenant=tenant_a, to=f"q{n}@example.org", language="fr", template="t", subject="s")
        for n in range(120)
    )
    assert len(_queries_for(desk, url)[1]) == few
    assert len(_queries_for(desk, url, {"p": "3"})[1]) == few


def test_a_page_far_down_reads_its_keys_then_its_rows(desk, tenant_a, staff_a):
    _log(tenant_a, staff_a, 120)
    everyone = list(AuditEntry.objects.for_tenant(tenant_a).values_list("pk", flat=True))
    page, sql = _queries_for(desk, LOG, {"p": "3"})
    # The third page of 50 holds the oldest rows, newest first like the others.
    assert [e.pk for e in page.context["cl"].result_list] == everyone[100:]
    rows = [q for q in sql if "portal_auditentry" in q and not q.startswith("EXPLAIN") and "COUNT(" not in q]
    assert len(rows) == 1 and " IN (SELECT " in rows[0].upper() and "OFFSET 100" in rows[0].upper()


def test_past_the_cap_the_list_shows_the_estimate_and_counts_nothing(desk, tenant_a, staff_a, monkeypatch):
    # SQLite has no estimate: PostgreSQL's is stood in for here (the PostgreSQL run of this file
    # checks the real one, below).
    monkeypatch.setattr(portal_admin, "estimated_rows", lambda queryset: 198_734)
    _log(tenant_a, staff_a, 60)
    page, sql = _queries_for(desk, LOG)
    assert not [q for q in sql if "COUNT(" in q.upper()]
    html = page.content.decode()
    with translation.override("fr"):
        about = translation.gettext("about %(count)s") % {"count": "200 000"}
        hint = translation.gettext(
            "Only the first %(shown)s results are shown page by page; a filter or a search finds the others."
        ) % {"shown": "10 000"}
    assert about.startswith("environ") and about in html.replace("\xa0", " ")
    assert hint in html.replace("\xa0", " ")
    # No link to a "last page", which would only be the cap's; the next pages are there.
    assert 'class="end"' not in html and "?p=2" in html
    assert len(page.context["cl"].result_list) == 50


def test_below_the_cap_the_count_is_exact(desk, tenant_a, staff_a, monkeypatch):
    monkeypatch.setattr(portal_admin, "estimated_rows", lambda queryset: 40)
    _log(tenant_a, staff_a, 60)
    page = desk.get(LOG)
    assert _count(page) == AuditEntry.objects.for_tenant(tenant_a).count()
    assert "environ" not in page.content.decode()


def test_the_oldest_rows_stay_reachable_past_the_cap(desk, tenant_a, staff_a, monkeypatch):
    monkeypatch.setattr(portal_admin, "COUNT_CAP", 100)
    record_audit(tenant=tenant_a, actor=staff_a, action="account.unlocked")
    oldest = AuditEntry.objects.for_tenant(tenant_a).get(action="account.unlocked")
    _log(tenant_a, staff_a, 130)
    shown = [desk.get(LOG, {"p": str(n)}).context["cl"] for n in (1, 2)]
    assert shown[0].paginator.num_pages == 2 and all(len(cl.result_list) == 50 for cl in shown)
    assert oldest not in [*shown[0].result_list, *shown[1].result_list]
    assert desk.get(LOG, {"p": "3"}).status_code == 302  # past the cap: Django's "?e=1"
    assert list(desk.get(LOG, {"action": "account.unlocked"}).context["cl"].result_list) == [oldest]


def test_the_template_filter_offers_the_declared_mails_without_reading_the_outbox(desk, tenant_a):
    for template in ["password_reset", "test_message"]:
        OutboundEmail.objects.create(tenant=tenant_a, to="a@example.org", language="fr", template=template)
    page, sql = _queries_for(desk, OUTBOX)
    assert not [q for q in sql if "DISTINCT" in q.upper()]
    choices = {
        c["display"] for spec in page.context["cl"].filter_specs for c in spec.choices(page.context["cl"])
    }
    # Every mail the portal can send, sent yet or not.
    assert {"password_reset", "test_message", "account_locked", "verify_email"} <= {str(c) for c in choices}
    assert _count(desk.get(OUTBOX, {"template__exact": "test_message"})) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's estimate (run on PostgreSQL)")
def test_postgresql_estimates_a_list_past_the_cap(desk, tenant_a, staff_a, monkeypatch):
    monkeypatch.setattr(portal_admin, "COUNT_CAP", 20)
    _log(tenant_a, staff_a, 300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE portal_auditentry")
    page, sql = _queries_for(desk, LOG)
    assert not [q for q in sql if "COUNT(" in q.upper()]
    assert page.context["cl"].paginator.estimated
    assert 200 <= _count(page) <= 400  # the planner's guess, rounded
    # A filter the statistics say is small is counted exactly.
    record_audit(tenant=tenant_a, actor=staff_a, action="account.unlocked")
    narrowed = desk.get(LOG, {"action": "account.unlocked"})
    assert not narrowed.context["cl"].paginator.estimated and _count(narrowed) == 1


@pytest.mark.parametrize("url", [LOG, OUTBOX])
def test_the_big_lists_sort_by_date_only(desk, tenant_a, staff_a, url):
    # A sort by a label, an address or a subject would read and sort the tenant's whole log.
    _log(tenant_a, staff_a, 2)
    OutboundEmail.objects.create(tenant=tenant_a, to="a@example.org", language="fr", template="t")
    html = desk.get(url).content.decode()
    sortable = re.findall(r'<th scope="col" class="sortable (column-[a-z_]+)', html)
    assert sortable == ["column-created_at"]


def test_a_word_is_looked_for_in_either_label(desk, tenant_a, staff_a):
    person = UserFactory(tenant=tenant_a, identifier="T000001", first_name="Marie", last_name="Tremblay")
    record_audit(tenant=tenant_a, actor=staff_a, action="account.unlocked", target=person)
    record_audit(tenant=tenant_a, actor=person, action="mail.test_sent")
    record_audit(tenant=tenant_a, actor=staff_a, action="mail.test_sent")
    assert _count(desk.get(LOG, {"q": "TREMBLAY"})) == 1  # on what: "Marie Tremblay"
    assert _count(desk.get(LOG, {"q": "t000001"})) == 1  # who: the identifier
    # Every word must be there: the agent and the person, in one entry.
    assert _count(desk.get(LOG, {"q": "help-a tremblay"})) == 1
    assert _count(desk.get(LOG, {"q": "tremblay nobody"})) == 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes (run on PostgreSQL)"
)
def test_the_word_search_can_read_the_trigram_indexes(desk, tenant_a):
    # The index expressions must be the very ones Django's case-insensitive search writes.
    queryset = portal_admin.HelpDeskAuditEntryAdmin.get_search_results(
        None,
        None,
        AuditEntry.objects.all(),
        "tremblay",  # tenant-guard: a plan, over no tenant's rows
    )[0]
    with connection.cursor() as cursor:
        # An empty table is read whole or down an ordered index; left only bitmap scans, the planner
        # takes an index whose expression matches, or none.
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        plan = queryset.explain()
    assert "audit_actor_label_trgm" in plan and "audit_target_label_trgm" in plan


def test_a_list_known_to_be_empty_is_estimated_at_nothing(desk, tenant_a):
    # Django sends no query for `pk__in=[]` (a filter that matched nobody), so there is no plan.
    empty = AuditEntry.objects.for_tenant(tenant_a).filter(pk__in=[])
    assert portal_admin.estimated_rows(empty) == (0 if connection.vendor == "postgresql" else None)
    page = desk.get("/alpha/admin/accounts/user/", {"lock": "locked"})  # nobody is locked
    assert page.status_code == 200 and _count(page) == 0
