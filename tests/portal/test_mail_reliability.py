"""Mail that is never lost and never sent twice, with the production parts: real Celery workers
(separate processes) on a Redis server this test starts itself, the test's PostgreSQL database,
and a local SMTP server (tests/portal/smtp_sink.py) that counts what it accepts per recipient.

Every case waits by polling a condition with a deadline, never by a blind sleep. CI runs them in
step 6 (PostgreSQL); elsewhere they skip and say why."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from portal.celery import app as celery_app
from portal.mail import send_templated_mail, send_templated_mail_many
from portal.models import OutboundEmail
from portal.tasks import deliver_email_batch, sweep_outbox
from tests.conftest import require_service
from tests.portal.smtp_sink import SmtpSink
from tests.portal.test_mail_worker import database_url_of_test_database, wait_for

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
LEASE = 2  # seconds: short, so that a killed worker's rows come back within the test


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of the test's own, on a free port, with no persistence: stopped and started
    again on the same port, as a broker that goes down and comes back."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        assert wait_for(answers, timeout=20, interval=0.05), "the test's redis-server did not start"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def client(self):
        return redis.Redis.from_url(self.url)

    def unacked(self) -> int:
        return self.client().hlen("unacked")

    def idle(self, *, unacked: int = 0) -> bool:
        """No task waiting in the queue and none taken but unacknowledged (acks_late), beyond the
        `unacked` of a killed worker (Redis gives them back only after its visibility timeout)."""
        client = self.client()
        return client.llen("celery") == 0 and client.hlen("unacked") == unacked


def use_broker(urls) -> None:
    """Point this process's Celery app (the one the portal publishes with) at the broker `urls`
    (url, write url, read url): Celery fills in the last two from CELERY_BROKER_URL."""
    celery_app.conf.broker_url, celery_app.conf.broker_write_url, celery_app.conf.broker_read_url = urls
    # Forget the pools without closing them: they are kombu's, shared per broker URL, and the one
    # of CELERY_BROKER_URL must still work for the tests that come after.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def own_redis():
    if connection.vendor != "postgresql":
        require_service("real workers share the test database only on PostgreSQL (DATABASE_URL=postgres://…)")
    if not os.access(REDIS_SERVER, os.X_OK):
        require_service(f"no redis-server at {REDIS_SERVER} for the test to start")
    server = OwnRedis()
    server.start()
    conf = celery_app.conf
    broker, eager = (conf.broker_url, conf.broker_write_url, conf.broker_read_url), conf.task_always_eager
    use_broker((server.url, server.url, server.url))
    celery_app.conf.task_always_eager = False
    try:
        yield server
    finally:
        celery_app.conf.task_always_eager = eager
        use_broker(broker)
        server.stop()


@pytest.fixture
def workers(own_redis):
    """Start real Celery workers: `start(name, sink, **settings)`; each is stopped at the end."""
    started = []

    def start(name, sink, **settings):
        log = tempfile.NamedTemporaryFile("w+", prefix=f"worker-{name}-", suffix=".log", delete=False)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.local",
            "DATABASE_URL": database_url_of_test_database(),
            "CELERY_BROKER_URL": own_redis.url,
            "EMAIL_URL": sink.email_url,
            "MAIL_CLAIM_LEASE": str(LEASE),
            "MAIL_SWEEP_AFTER": "0",
            **{key: str(value) for key, value in settings.items()},
        }
        env.pop("CELERY_RESULT_BACKEND", None)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", f"--hostname={name}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        process.log_path = log.name
        started.append(process)
        assert wait_for(
            lambda: "ready." in Path(log.name).read_text() or process.poll() is not None, timeout=60
        )
        assert process.poll() is None, Path(log.name).read_text()[-3000:]
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        Path(process.log_path).unlink(missing_ok=True)


def logs(*processes) -> str:
    return "\n".join(Path(p.log_path).read_text()[-3000:] for p in processes)


def all_sent(ids) -> bool:
    return OutboundEmail.objects.filter(pk__in=ids, status=OutboundEmail.Status.SENT).count() == len(ids)


def notice(user, count, prefix):
    emails = send_templated_mail_many(
        tenant=user.tenant,
        recipients=[(f"{prefix}{n}@example.test", "en", {"user": user}) for n in range(count)],
        template="test_message",
    )
    return [email.pk for email in emails], {f"{prefix}{n}@example.test" for n in range(count)}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_mail_committed_while_the_broker_is_down_is_delivered_once_by_the_sweep(own_redis, workers, user_a):
    own_redis.stop()
    started = time.monotonic()
    email = send_templated_mail(  # commits at once (no surrounding transaction): the request's path
        tenant=user_a.tenant, to="broker-down@example.test", language="en", template="test_message",
        context={"user": user_a},
    )  # fmt: skip
    assert time.monotonic() - started < 5, "the request waited long for a broker that is down"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and email.claimed_by == ""

    own_redis.start()
    with SmtpSink() as sink:
        worker = workers("sweeper", sink)
        sweep_outbox.delay()
        assert wait_for(lambda: all_sent([email.pk]), timeout=60), logs(worker)
        sweep_outbox.delay()  # a second sweep finds nothing more to send
        assert wait_for(own_redis.idle, timeout=60), logs(worker)
        assert sink.counts() == {"broker-down@example.test": 1}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_loses_no_mail_and_sends_at_most_the_one_in_flight_twice(
    own_redis, workers, user_a
):
    count = 40
    with SmtpSink(delay=0.05) as sink:  # 40 mails take about 2 s: the kill lands in the batch
        first = workers("first", sink, MAIL_BATCH_SIZE=count, MAIL_MARK_SENT_EVERY=1)
        ids, addresses = notice(user_a, count, "kill")
        assert wait_for(lambda: sink.total() >= 10, timeout=60), logs(first)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=20)
        at_kill = sink.total()
        left_unacked = own_redis.unacked()  # the killed worker's batch task, acks_late
        sent_rows_at_kill = OutboundEmail.objects.filter(pk__in=ids, status=OutboundEmail.Status.SENT).count()
        assert 10 <= at_kill < count, "the kill did not land in the middle of the batch"

        second = workers("second", sink, MAIL_BATCH_SIZE=count)

        def swept_all():
            if not all_sent(ids):
                sweep_outbox.delay()  # the beat's job, run by the test: once a lease has passed
                return False
            return True

        assert wait_for(swept_all, timeout=60, interval=LEASE / 2), logs(second)
        assert wait_for(lambda: own_redis.idle(unacked=left_unacked), timeout=60), logs(second)
        counts = sink.counts()
        twice = sorted(address for address, n in counts.items() if n > 1)
        print(
            f"\nkilled mid-batch: {at_kill} accepted by the server at the kill, "
            f"{sent_rows_at_kill} rows marked sent; after the sweep: {len(counts)} of {count} addresses "
            f"delivered, {sink.total()} messages, {len(twice)} twice {twice}"
        )
        assert set(counts) == addresses, "a mail was lost"
        assert max(counts.values()) <= 2
        assert len(twice) <= 1, f"more than the one mail in flight was sent twice: {twice}"
        assert sink.total() == count + len(twice)
        # The one that may leave twice is the one in flight: accepted, then killed before its UPDATE.
        assert at_kill - sent_rows_at_kill <= 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_the_same_outbox_send_every_mail_exactly_once(own_redis, workers, user_a):
    count = 200
    with SmtpSink(delay=0.005) as sink:
        one = workers("one", sink, MAIL_BATCH_SIZE=10)
        two = workers("two", sink, MAIL_BATCH_SIZE=10)
        ids, addresses = notice(user_a, count, "pair")  # one task, split into 20 batches
        # The same rows, again and again, from every side: a redelivered task and two sweeps.
        deliver_email_batch.delay(ids)
        sweep_outbox.delay()
        sweep_outbox.delay()
        assert wait_for(lambda: all_sent(ids), timeout=90), logs(one, two)
        assert wait_for(own_redis.idle, timeout=60), logs(one, two)
        counts = sink.counts()
        assert set(counts) == addresses
        assert set(counts.values()) == {1}, {a: n for a, n in counts.items() if n != 1}
        assert sink.total() == count
        for worker in (one, two):
            assert "deliver_email_batch" in Path(worker.log_path).read_text(), "a worker took no batch"
