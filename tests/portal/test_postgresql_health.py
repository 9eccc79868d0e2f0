"""The health check of a persistent PostgreSQL connection (portal/postgresql/base.py): a connection the
server ended is replaced before a request's first query, as with Django's check, and a healthy idle one
costs no round trip. Run on PostgreSQL (CI's second pass); SQLite has no connection to lose."""

import select
from unittest import mock

import psycopg
import pytest
from django.db import connection, connections

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's persistent connections (run on PostgreSQL)"
)


@pytest.fixture
def persistent(transactional_db):
    """The default connection as production keeps it: reused between requests, checked before each."""
    db = connections["default"]
    saved = {name: db.settings_dict[name] for name in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    db.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=True)
    db.close()
    db.ensure_connection()
    yield db
    db.settings_dict.update(saved)
    db.close()


def _statements_sent(db):
    """Counts the cursors opened on the live psycopg connection (each check or query opens one)."""
    return mock.patch.object(
        type(db.connection), "cursor", autospec=True, side_effect=type(db.connection).cursor
    )


def _end_from_the_server(db):
    pid = db.connection.info.backend_pid
    with psycopg.connect(db.connection.info.dsn, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # Waits for the server's goodbye to reach this connection's socket (an event, not a delay).
    readable, _w, _x = select.select([db.connection.fileno()], [], [], 10)
    assert readable
    return pid


def test_a_healthy_connection_is_used_without_a_round_trip_first(persistent):
    persistent.close_if_unusable_or_obsolete()  # what a request's start does
    with _statements_sent(persistent) as opened:
        persistent.close_if_health_check_failed()  # what the request's first query does first
    assert opened.call_count == 0
    assert persistent.connection is not None and persistent.health_check_done


def test_a_connection_the_server_ended_is_replaced_before_the_page_reads(
    persistent, client, user_a, password
):
    client.post("/alpha/sign-in/", {"username": "A000001", "password": password})
    ended = _end_from_the_server(persistent)
    # A page that reads the database: the person's home, whose session is read first.
    persistent.close_if_unusable_or_obsolete()
    response = client.get("/alpha/profile/")
    assert response.status_code == 200
    assert persistent.connection.info.backend_pid != ended


def test_a_connection_the_server_ended_is_not_taken_for_healthy(persistent):
    _end_from_the_server(persistent)
    assert not persistent.is_usable()


def test_a_socket_that_cannot_be_looked_at_is_checked_by_asking_the_server(persistent, monkeypatch):
    def refused():
        raise OSError("no poll here")

    monkeypatch.setattr("portal.postgresql.base.select.poll", refused)
    with _statements_sent(persistent) as opened:
        assert persistent.is_usable()
    assert opened.call_count == 1  # Django's SELECT 1
