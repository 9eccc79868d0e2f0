"""Candidate optimisations, applied by monkeypatching in the benchmark process only, to measure them
before anyone changes the project, or to undo a change already made and measure it against the code
as it is (benchmarks/README.md, "What if").

    .venv/bin/python benchmarks/run.py --what-if no_health_check
    .venv/bin/python benchmarks/profile_page.py --what-if no_health_check

One entry, `hash_cpu_probe`, changes nothing: it only measures (benchmarks/signin.py --hash-probe).

Used as the WSGI application `benchmarks.what_if:application`, it applies the patches named in
BENCH_WHAT_IF (comma-separated) before Django handles a request.
"""

import os


def no_health_check():
    """CONN_HEALTH_CHECKS off: no "SELECT 1" before the first query of each request."""
    from django.db import connections

    connections["default"].settings_dict["CONN_HEALTH_CHECKS"] = False


def csp_per_response():
    """The code before portal.csp: django-csp builds the policy string again for every response."""
    from csp.middleware import CSPMiddleware

    from portal import csp

    csp.CSPMiddleware.process_response = CSPMiddleware.process_response


def reverse_per_request():
    """The code before portal.context_processors.cached_reverse: every address reversed on each page."""
    from django.urls import reverse

    from portal import context_processors

    context_processors._reverse = lambda name, urlconf, *_: reverse(name, urlconf=urlconf)


def user_row_per_request():
    """The code before accounts.user_state: the signed-in person's row read from the database on every
    request (then the health check's SELECT 1 before it)."""
    from accounts.backends import TenantBackend
    from accounts.models import User

    def get_user(self, user_id):
        try:
            user = User.objects.get(pk=user_id)  # tenant-guard: the id comes from the session
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    TenantBackend.get_user = get_user


def parts_per_request():
    """The code before {% per_tenant %}: every part of the page rendered on every request."""
    from portal.templatetags.per_tenant import PerTenantNode

    PerTenantNode.render = lambda self, context: self.nodelist.render(context)


def state_after_session():
    """The code before accounts.sessions read the person's state with the session: two Redis round
    trips per signed-in page (the session, then the person's state) instead of one."""
    from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore

    from accounts.sessions import SessionStore

    SessionStore.load = CachedDbSessionStore.load


def csrf_mask_by_django():
    """The code before portal.csrf: Django's CSRF secrets and the pages' masks drawn by Django (32
    `secrets.choice` each)."""
    from django.middleware import csrf as django_csrf
    from django.utils.crypto import get_random_string

    def get_new_csrf_string():
        return get_random_string(django_csrf.CSRF_SECRET_LENGTH, allowed_chars=django_csrf.CSRF_ALLOWED_CHARS)

    django_csrf._get_new_csrf_string = get_new_csrf_string


def tenant_copied_by_copy():
    """The code before portal.tenancy._copy: the request's tenant and its settings rows copied with
    copy.copy (through Model.__reduce__ and __setstate__)."""
    import copy

    from portal import tenancy

    tenancy._copy = copy.copy


def extends_walks_root():
    """The code before portal/templatetags/extends.py: `{% extends %}` walks base.html for its blocks on
    every render, as Django's does."""
    from django.template.loader_tags import ExtendsNode as DjangoExtendsNode

    from portal.templatetags import extends

    extends.ExtendsNode.render = DjangoExtendsNode.render


def cards_per_request():
    """The code before: the home page's cards listed (and their addresses looked up) on every request,
    though the part that shows them is kept per tenant."""
    from portal import views

    views.SimpleLazyObject = lambda make: make()  # the view's only lazy object: the cards, made at once


def hash_cpu_probe():
    """Not a change: each worker adds up the CPU of every Argon2 verify it runs (its thread's CPU time
    around argon2's own call) and keeps the total in a file of BENCH_HASH_PROBE_DIR, so that
    benchmarks/signin.py can tell the hash from the work around it, in the same sign-ins. One
    `pwrite` of the total per verify, on a file opened once: the probe's own cost, which falls in the
    work around the hash, stays a system call (an open, a write and a close per verify, as first
    written, cost about 0.03 of the hash)."""
    import time

    import argon2._password_hasher as argon2_hasher

    verify_secret, folder = argon2_hasher.verify_secret, os.environ["BENCH_HASH_PROBE_DIR"]
    total, opened = [0.0], {}

    def timed(*args, **kwargs):
        started = time.thread_time()
        try:
            return verify_secret(*args, **kwargs)
        finally:
            total[0] += time.thread_time() - started
            pid = os.getpid()  # a worker forked after the patch writes its own file
            if pid not in opened:
                opened.clear()
                total[0] = time.thread_time() - started
                opened[pid] = os.open(os.path.join(folder, str(pid)), os.O_WRONLY | os.O_CREAT, 0o600)
            os.pwrite(opened[pid], f"{total[0]:24.9f}".encode(), 0)

    argon2_hasher.verify_secret = timed


def floor_of_a_django_sign_in():
    """Not a sign-in: the least one through Django could cost, as the floor to compare the portal's
    with (benchmarks/README.md, "Sign-in: the floor of a Django sign-in"). The sign-in page's POST
    goes through the portal's middleware and CSRF check, then reads the account (one SELECT), checks
    the password (the same Argon2id), writes a session row (one INSERT) and redirects with its cookie.
    No lockout, no cache, no audit, no login(), no stages, no device or language cookie."""
    import secrets
    from datetime import timedelta

    import argon2
    from django.contrib.sessions.models import Session
    from django.db import connections
    from django.http import HttpResponseRedirect
    from django.utils import timezone

    from accounts.models import User
    from accounts.views import SignInView

    hasher = argon2.PasswordHasher()
    read = f"SELECT id, password FROM {User._meta.db_table} WHERE tenant_id = %s AND identifier = %s"  # noqa: S608
    write = (
        f"INSERT INTO {Session._meta.db_table} (session_key, session_data, expire_date) "  # noqa: S608
        "VALUES (%s, %s, %s)"
    )

    def post(self, request, *args, **kwargs):
        with connections["default"].cursor() as cursor:
            cursor.execute(read, [request.tenant.pk, request.POST["username"]])
            pk, encoded = cursor.fetchone()
            hasher.verify("$" + encoded.split("$", 1)[1], request.POST["password"])
            key = secrets.token_hex(16)
            cursor.execute(write, [key, str(pk), timezone.now() + timedelta(hours=1)])
        response = HttpResponseRedirect(f"/{request.tenant.slug}/")
        response.set_cookie("sessionid", key, httponly=True)
        return response

    SignInView.post = post


def floor_with_a_sign_in_s_writes():
    """Not a sign-in: floor_of_a_django_sign_in plus, written as directly as they can be, the round
    trips and cookies the portal's sign-in cannot do without. Before the hash: the address's attempt
    counted in Redis (the lockout's script) and the account's attempt reserved (its INSERT … ON
    CONFLICT). After it: one statement that clears the reservation, sets last_login and writes the
    session row (the WITH clause the portal uses; the audit entry left out), the session in Redis with
    the address's attempt given back (the portal's script), the CSRF token rotated, and the session,
    device and language cookies."""
    import secrets
    from datetime import timedelta

    import argon2
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.core import signing
    from django.db import connections
    from django.http import HttpResponseRedirect
    from django.middleware.csrf import rotate_token
    from django.utils import timezone

    from accounts import guard, lockout
    from accounts.language import set_language_cookie
    from accounts.models import SignInLock, User
    from accounts.views import SignInView

    hasher = argon2.PasswordHasher()
    cache = lockout.caches["default"]
    client = cache._cache.get_client(write=True)
    set_and_give_back = client.register_script(lockout._SET_AND_GIVE_BACK_SCRIPT)
    read = f"SELECT id, password FROM {User._meta.db_table} WHERE tenant_id = %s AND identifier = %s"  # noqa: S608
    write = (
        f"WITH cleared AS (DELETE FROM {SignInLock._meta.db_table} WHERE key_digest = %s), "  # noqa: S608
        f"signed_in AS (UPDATE {User._meta.db_table} SET last_login = %s WHERE id = %s) "
        f"INSERT INTO {Session._meta.db_table} (session_key, session_data, expire_date) VALUES (%s, %s, %s)"
    )

    def post(self, request, *args, **kwargs):
        tenant, db = request.tenant, connections["default"]
        address = lockout._address_key(request)
        lockout._run_script(lockout._COUNT_SCRIPT, address, settings.PORTAIL_FAILURES_ADDRESS_WINDOW)
        with db.cursor() as cursor:
            cursor.execute(read, [tenant.pk, request.POST["username"]])
            pk, encoded = cursor.fetchone()
        key = str(lockout.lock_key(tenant, identifier=f"user:{pk}"))
        now = timezone.now()
        lockout._claim_fresh(tenant, key, now, None)
        hasher.verify("$" + encoded.split("$", 1)[1], request.POST["password"])
        session_key = secrets.token_hex(16)
        data = signing.dumps({"_auth_user_id": str(pk)}, salt="django.contrib.sessions.SessionStore")
        with db.cursor() as cursor:
            cursor.execute(write, [key, now, pk, session_key, data, now + timedelta(hours=1)])
        keys = [cache.make_and_validate_key(f"session:{session_key}"), cache.make_and_validate_key(address)]
        set_and_give_back(keys=keys, args=[data, 3600], client=client)
        rotate_token(request)
        response = HttpResponseRedirect(f"/{tenant.slug}/")
        response.set_cookie("sessionid", session_key, httponly=True, samesite="Lax")
        device = signing.dumps({"u": pk, "n": secrets.token_urlsafe(12)}, salt=guard._salt(tenant))
        response.set_cookie(guard.device_cookie_name(tenant), device, max_age=86400, httponly=True)
        set_language_cookie(response, "fr")
        return response

    SignInView.post = post


def floor_of_a_sign_in_without_django():
    """Not a sign-in: gunicorn alone around the hash. Every POST is answered without Django: one read
    of the account's hash (psycopg, one SELECT), the same Argon2id, a redirect with a cookie. The GET of
    the sign-in page still goes to the portal (benchmarks/signin.py reads its CSRF token)."""
    import secrets
    import urllib.parse

    import argon2
    import psycopg
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    from accounts.models import User
    from portal.models import Tenant

    hasher = argon2.PasswordHasher()
    django_call, opened = WSGIHandler.__call__, []
    read = (
        f"SELECT a.password FROM {User._meta.db_table} a "  # noqa: S608 - names from the models
        f"JOIN {Tenant._meta.db_table} t ON t.id = a.tenant_id WHERE t.slug = %s AND a.identifier = %s"
    )

    def call(self, environ, start_response):
        if environ["REQUEST_METHOD"] != "POST":
            return django_call(self, environ, start_response)
        if not opened:
            params = connections["default"].get_connection_params()
            opened.append(psycopg.connect(**{**params, "autocommit": True}))
        form = urllib.parse.parse_qs(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])).decode())
        slug = environ["PATH_INFO"].strip("/").split("/")[0]
        with opened[0].cursor() as cursor:
            cursor.execute(read, [slug, form["username"][0]])
            (encoded,) = cursor.fetchone()
        hasher.verify("$" + encoded.split("$", 1)[1], form["password"][0])
        cookie = f"sessionid={secrets.token_hex(16)}; HttpOnly"
        start_response("302 Found", [("Location", f"/{slug}/"), ("Set-Cookie", cookie)])
        return [b""]

    WSGIHandler.__call__ = call


def sign_in_without_the_form():
    """The sign-in page's POST without LoginView's form: the same fields' clean(), the guard, the
    backend, the stages, login() and the audit, called from the view (benchmarks/README.md, "Sign-in:
    an eighth machine"). Measured, not adopted. For the benchmark's sign-ins only, which all succeed:
    a refused one falls back to LoginView's POST, which would count the attempt a second time.
    Input the fields refuse goes there too, as it would in the portal, where the guard never sees it."""
    from django.core.exceptions import ValidationError

    from accounts import guard, stages
    from accounts.backends import authenticate_here
    from accounts.forms import _UNKNOWN, SignInForm
    from accounts.selectors import user_for_sign_in
    from accounts.views import SignInView

    username_field = SignInForm.base_fields["username"]
    password_field = SignInForm.base_fields["password"]
    full_post = SignInView.post

    def post(self, request, *args, **kwargs):
        data = request.POST
        try:
            identifier = username_field.clean(data.get("username"))
            password = password_field.clean(data.get("password"))
        except ValidationError:
            return full_post(self, request, *args, **kwargs)
        tenant = request.tenant
        account = user_for_sign_in(tenant=tenant, identifier=identifier)
        found = []

        def check():
            user = authenticate_here(request, identifier=identifier, password=password, account=account)
            found.append(user)
            return user is not None

        verdict = guard.check_secret(
            request, account=account, identifier=identifier, check=check, audit=None if account else _UNKNOWN
        )
        if not verdict.ok or not found[0].is_active:
            return full_post(self, request, *args, **kwargs)
        return stages.begin(
            request, found[0], method="password", next_url=self.get_success_url(), next_url_checked=True
        )

    SignInView.post = post


PATCHES = {
    patch.__name__: patch
    for patch in (
        floor_of_a_django_sign_in,
        floor_of_a_sign_in_without_django,
        floor_with_a_sign_in_s_writes,
        sign_in_without_the_form,
        hash_cpu_probe,
        no_health_check,
        csp_per_response,
        reverse_per_request,
        user_row_per_request,
        parts_per_request,
        state_after_session,
        csrf_mask_by_django,
        tenant_copied_by_copy,
        extends_walks_root,
        cards_per_request,
    )
}


def apply(names):
    """Apply the named patches (an iterable or a comma-separated string); Django must be set up."""
    if isinstance(names, str):
        names = [name for name in names.split(",") if name]
    unknown = set(names) - set(PATCHES)
    if unknown:
        raise ValueError(f"unknown what-if patches {sorted(unknown)}; known: {sorted(PATCHES)}")
    for name in names:
        PATCHES[name]()
    return list(names)


def __getattr__(name):  # `application`, built on first use, for gunicorn
    if name != "application":
        raise AttributeError(name)
    from django.core.wsgi import get_wsgi_application

    global application
    application = get_wsgi_application()  # sets Django up
    apply(os.environ.get("BENCH_WHAT_IF", ""))
    return application
