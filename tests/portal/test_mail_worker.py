"""The mail pipeline with its production parts: a real Celery worker consuming from Redis and
writing to the same PostgreSQL database. CI runs it (CELERY_BROKER_URL set, PostgreSQL);
elsewhere it skips and says why."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from portal.celery import app as celery_app
from portal.mail import send_templated_mail
from portal.models import MailboxMessage, OutboundEmail
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]


def database_url_of_test_database():
    db = connection.settings_dict
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def celery_worker_process():
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        require_service("CELERY_BROKER_URL is not set: no Redis broker for a real Celery worker")
    if connection.vendor != "postgresql":
        require_service(
            "a real worker shares the test database only on PostgreSQL (DATABASE_URL=postgres://…)"
        )
    celery_app.control.purge()
    env = {
        **os.environ,
        # The embedded defaults plus a broker: mail goes to the development mailbox table.
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",
        "DATABASE_URL": database_url_of_test_database(),
        "CELERY_BROKER_URL": broker,
    }
    env.pop("EMAIL_URL", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager = eager
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def wait_for(predicate, *, timeout=60.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)  # polling a condition another process fulfils, bounded by the deadline
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_delivers_mail_through_redis(celery_worker_process, user_a):
    email = send_templated_mail(
        tenant=user_a.tenant,
        to=user_a.email,
        language="en",
        template="test_message",
        context={"user": user_a},
    )
    delivered = wait_for(lambda: MailboxMessage.objects.filter(to=user_a.email).exists())
    if not delivered:
        celery_worker_process.terminate()
        output = celery_worker_process.communicate(timeout=20)[0]
        pytest.fail(f"the worker did not deliver the mail within 60 s; its output:\n{output[-3000:]}")
    assert wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    message = MailboxMessage.objects.get(to=user_a.email)
    assert "Alice" in message.body_text
