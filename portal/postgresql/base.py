"""Django's PostgreSQL backend, with a health check that asks the server only when it has spoken.

With persistent connections (CONN_MAX_AGE) and CONN_HEALTH_CHECKS, Django checks the connection before
the first query of every request with a round trip, `SELECT 1`. A connection the server has ended (a
restart, `pg_terminate_backend`, `idle_session_timeout`, a proxy closing it) has said so before going:
its error message and the end of the stream wait on the socket, which is then readable. An idle
connection has nothing to read. So the check looks at the socket first, without waiting, and runs
Django's `SELECT 1` only when something is there, or when the connection is not idle: every case
Django's check catches, this one catches, and a healthy connection costs no round trip (every page,
and the sign-in: benchmarks/README.md, "Sign-in: the floor of a Django sign-in").

A connection that died without a word (a cable pulled) is not caught by either: Django's `SELECT 1`
would wait for the network's timeout as the request's own first query does."""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        try:
            waiting = select.poll()  # poll, not select: any descriptor number, however high
            waiting.register(connection.fileno(), select.POLLIN)
            spoken = bool(waiting.poll(0))
        except (OSError, ValueError):
            spoken = True  # the socket could not be looked at: ask the server, as Django does
        return super().is_usable() if spoken else True
