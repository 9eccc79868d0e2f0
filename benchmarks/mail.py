"""Mail throughput: today's one-task-per-mail pipeline against the batches, side by side in one run.

    .venv/bin/python benchmarks/mail.py [--mails 10000] [--pipeline all|single|single-tuned|batch]
        [--batch-size 100] [--concurrency 4 x cores] [--prefetch 4] [--mark-every 1]

Drops and recreates its own PostgreSQL database (portail_bench_mail), migrates, starts its own
redis-server on a free port as the broker and a local SMTP server (tests/portal/smtp_sink.py) in
this process, then for each pipeline starts a real Celery worker (prefork), queues --mails notices
(half in English, half in French) and times from the first enqueue until every outbox row is
marked sent (mails/s), and from the last commit (delivery alone). The worker's CPU per mail comes
from the rusage of the reaped worker processes (start-up included):

- single: today's pipeline as it was before the batches: one `OutboundEmail.objects.create` and one
  `deliver_email(id)` task per mail, 100 mails per transaction, a worker with today's settings
  (prefork, one process per core, prefetch 1, CONN_MAX_AGE 0);
- single-tuned: the same, on a worker with the batch's settings (--concurrency, --prefetch,
  CONN_MAX_AGE 60): how much of the gain is the settings alone;
- batch: one `send_templated_mail_many` call for every recipient (one INSERT, one task; the notice
  is rendered once per language, where today's pipeline renders it once per mail), delivered
  by `deliver_email_batch` in batches of --batch-size over one SMTP session each, with the
  --concurrency, --prefetch and --mark-every given.

Prints mails/s for each, the ratios of the batch to both singles (the goal: at least 10 times
`single`), and the sink's counts (every mail accepted exactly once).
"""

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "portail_bench_mail"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.local"
os.environ["DEBUG"] = "false"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database():
    for statement in [f"DROP DATABASE IF EXISTS {DATABASE}", f"CREATE DATABASE {DATABASE}"]:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", statement], check=True)


def start_redis(port):
    import redis

    process = subprocess.Popen(
        [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            client.ping()
            return process
        except redis.RedisError:
            time.sleep(0.05)  # waiting for the server to listen, bounded by the deadline
    raise SystemExit("redis-server did not start")


def start_worker(broker, sink, *, concurrency, prefetch, conn_max_age, extra_env=None):
    log = open(ROOT / "var" / "bench-mail-worker.log", "w")  # noqa: SIM115 - closed with the worker
    env = {
        **os.environ,
        "CELERY_BROKER_URL": broker,
        "EMAIL_URL": sink.email_url,
        "DB_CONN_MAX_AGE": str(conn_max_age),
        **(extra_env or {}),
    }
    env.pop("CELERY_RESULT_BACKEND", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=prefork",
         f"--concurrency={concurrency}", f"--prefetch-multiplier={prefetch}",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while "ready." not in (ROOT / "var" / "bench-mail-worker.log").read_text():
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit((ROOT / "var" / "bench-mail-worker.log").read_text()[-3000:])
        time.sleep(0.1)  # waiting for the worker to connect, bounded by the deadline
    return process, log


def stop_worker(process, log):
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def legacy_send_templated_mail(*, tenant, to, language, template, context):
    """send_templated_mail as it was before the batches: one row, one task per mail."""
    from django.conf import settings
    from django.db import transaction
    from django.template.loader import render_to_string
    from django.utils import translation

    from portal.mail import accent_colour
    from portal.models import OutboundEmail
    from portal.tasks import deliver_email

    base_url = settings.PORTAIL_BASE_URL
    context = {"tenant": tenant, "accent_colour": accent_colour(tenant), "base_url": base_url, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        body_text = render_to_string(f"emails/{template}/body.txt", context)
        body_html = render_to_string(f"emails/{template}/body.html", context)
    email = OutboundEmail.objects.create(
        tenant=tenant, to=to, language=language, template=template, subject=subject[:250],
        body_text=body_text, body_html=body_html,
    )  # fmt: skip
    transaction.on_commit(partial(deliver_email.delay, email.pk))


def run(pipeline, *, mails, tenant, user, broker, sink, args):
    from django.db import transaction

    from portal.mail import send_templated_mail_many
    from portal.models import OutboundEmail

    OutboundEmail.objects.all().delete()
    sink.received.clear()
    if pipeline == "single":
        worker = start_worker(broker, sink, concurrency=os.cpu_count(), prefetch=1, conn_max_age=0)
    elif pipeline == "single-tuned":
        tuned = {"concurrency": args.concurrency, "prefetch": args.prefetch}
        worker = start_worker(broker, sink, conn_max_age=60, **tuned)
    else:
        worker = start_worker(
            broker, sink, concurrency=args.concurrency, prefetch=args.prefetch, conn_max_age=60,
            extra_env={"MAIL_BATCH_SIZE": str(args.batch_size), "MAIL_MARK_SENT_EVERY": str(args.mark_every)},
        )  # fmt: skip
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # A notice: the same words for everyone in a language, half of them in French.
    recipients = [(f"{pipeline}{n}@bench.example", "fr" if n % 2 else "en") for n in range(mails)]
    started = time.perf_counter()
    if pipeline.startswith("single"):
        for start in range(0, mails, 100):  # 100 mails per transaction, as in the issue
            with transaction.atomic():
                for to, language in recipients[start : start + 100]:
                    legacy_send_templated_mail(
                        tenant=tenant,
                        to=to,
                        language=language,
                        template="test_message",
                        context={"user": user},
                    )
    else:
        with transaction.atomic():
            send_templated_mail_many(
                tenant=tenant,
                recipients=[(to, language, None) for to, language in recipients],
                template="test_message",
                context={"user": user},
            )
    queued = time.perf_counter() - started  # every row committed and its task(s) published
    deadline = time.monotonic() + 1800
    sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT)
    while sent.count() < mails:
        if time.monotonic() > deadline:
            raise SystemExit(f"{pipeline}: only {sent.count()} of {mails} sent after 30 min")
        time.sleep(0.1)  # polling the outbox the worker fills, bounded by the deadline
    elapsed = time.perf_counter() - started
    stop_worker(*worker)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker and its processes, once reaped
    worker_cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    counts = sink.counts()
    return {
        "pipeline": pipeline,
        "mails": mails,
        "queued_s": queued,
        "elapsed_s": elapsed,
        "rate": mails / elapsed,
        "delivery_rate": mails / (elapsed - queued),
        "accepted": sum(counts.values()),
        "distinct": len(counts),
        "twice": sum(1 for n in counts.values() if n > 1),
        "sessions": sink.sessions,
        "worker_cpu_ms": 1000 * worker_cpu / mails,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--pipeline", choices=["all", "single", "single-tuned", "batch"], default="all")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4 * os.cpu_count())
    parser.add_argument("--prefetch", type=int, default=4)
    parser.add_argument("--mark-every", type=int, default=1)
    args = parser.parse_args()

    recreate_database()
    (ROOT / "var").mkdir(exist_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from tests.factories import TenantFactory, UserFactory
    from tests.portal.smtp_sink import SmtpSink

    call_command("migrate", verbosity=0)
    tenant = TenantFactory(slug="bench", name_fr="Banc FR", name_en="Bench EN")
    user = UserFactory(tenant=tenant, identifier="BENCH1", first_name="Bench")
    port = free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    redis_server = start_redis(port)
    from portal.celery import app as celery_app

    celery_app.conf.broker_url = broker
    celery_app.conf.task_always_eager = False
    results = []
    try:
        with SmtpSink() as sink:
            everything = ["single", "single-tuned", "batch"]
            for pipeline in everything if args.pipeline == "all" else [args.pipeline]:
                sink.sessions = 0
                result = run(
                    pipeline, mails=args.mails, tenant=tenant, user=user, broker=broker, sink=sink, args=args
                )
                results.append(result)
                print(
                    f"{pipeline:>12}: {result['mails']} mails queued in {result['queued_s']:.1f} s, "
                    "all sent in "
                    f"{result['elapsed_s']:.1f} s = {result['rate']:.0f} mails/s (after the last commit: "
                    f"{result['delivery_rate']:.0f} mails/s); the SMTP server accepted "
                    f"{result['accepted']} ({result['distinct']} distinct, {result['twice']} twice) over "
                    f"{result['sessions']} sessions; worker CPU {result['worker_cpu_ms']:.2f} ms/mail",
                    flush=True,
                )
    finally:
        redis_server.terminate()
        redis_server.wait(timeout=20)
    rates = {result["pipeline"]: result for result in results}
    if "batch" in rates:
        for baseline in ["single", "single-tuned"]:
            if baseline in rates:
                print(
                    f" ratio: batch / {baseline} = {rates['batch']['rate'] / rates[baseline]['rate']:.1f} "
                    f"(mails/s), {rates[baseline]['worker_cpu_ms'] / rates['batch']['worker_cpu_ms']:.1f} "
                    "(worker CPU per mail)"
                )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"settings: batch and single-tuned: concurrency {args.concurrency}, prefetch {args.prefetch}, "
        f"CONN_MAX_AGE 60; batch size {args.batch_size}, mark sent every {args.mark_every}; "
        f"single: concurrency {os.cpu_count()}, prefetch 1, CONN_MAX_AGE 0"
    )


if __name__ == "__main__":
    main()
