"""A lint rule the suite runs: outside the tenancy layer, a tenant-owned model is read only through
its tenant (`Model.objects.for_tenant(tenant)` or an explicit `tenant=` filter), never by a bare
`Model.objects.get(pk=…)` or `get_object_or_404(Model, …)` on user input. A deliberate exception
(an id that comes from the session or a task, not from the request) carries `# tenant-guard: <why>`.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from portal.admin_sites import is_tenant_owned

ROOT = Path(__file__).resolve().parent.parent
CHECKED_PACKAGES = ["portal", "accounts", "messaging", "vault", "voting"]
TENANCY_LAYER = {"portal/tenancy.py", "portal/admin_sites.py"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}
CREATORS = {"create", "create_user", "get_or_create", "update_or_create"}
SCOPING_KEYWORDS = {"tenant", "tenant_id", "tenant__isnull"}


def tenant_owned_model_names():
    return {m.__name__ for m in apps.get_models() if is_tenant_owned(m)}


def violations_in(source: str, filename: str, owned: set[str]) -> list[str]:
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        span = lines[node.lineno - 1 : node.end_lineno]
        above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
        if any("# tenant-guard:" in line for line in span) or above.startswith("# tenant-guard:"):
            continue
        func = node.func
        keywords = {k.arg for k in node.keywords}
        if isinstance(func, ast.Name) and func.id in {"get_object_or_404", "get_list_or_404"}:
            if node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in owned:
                found.append(f"{filename}:{node.lineno}: {func.id}({node.args[0].id}, …) bypasses the tenant")
            continue
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute)):
            continue
        manager = func.value
        if not (
            isinstance(manager.value, ast.Name) and manager.value.id in owned and manager.attr in MANAGERS
        ):
            continue
        method = func.attr
        if method == "for_tenant" or method == "create_superuser":
            continue
        if (method in CREATORS or method in {"filter", "get", "exclude"}) and keywords & SCOPING_KEYWORDS:
            continue
        found.append(
            f"{filename}:{node.lineno}: {manager.value.id}.{manager.attr}.{method}(…) without its tenant"
        )
    return found


def test_guard_catches_unscoped_reads():
    owned = {"User"}
    bad = "User.objects.get(pk=request.GET['id'])\nget_object_or_404(User, pk=1)\nUser.objects.all()\n"
    assert len(violations_in(bad, "x.py", owned)) == 3
    good = (
        "User.objects.for_tenant(request.tenant).get(pk=1)\n"
        "User.objects.filter(tenant=t, pk=1)\n"
        "User.objects.create_user(tenant=t, identifier='x')\n"
        "User.objects.get(pk=user_id)  # tenant-guard: id from the session\n"
        "Tenant.objects.get(slug='a')\n"
    )
    assert violations_in(good, "x.py", owned) == []


@pytest.mark.django_db
def test_no_tenant_owned_model_is_read_without_its_tenant():
    owned = tenant_owned_model_names()
    assert {"User", "AuditEntry", "OutboundEmail"} <= owned
    problems = []
    for package in CHECKED_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative in TENANCY_LAYER:
                continue
            problems += violations_in(path.read_text(encoding="utf-8"), relative, owned)
    assert problems == [], "\n".join(problems)


def test_every_tenant_owned_model_has_for_tenant():
    for model in apps.get_models():
        if is_tenant_owned(model):
            assert hasattr(model.objects, "for_tenant"), f"{model.__name__}.objects lacks for_tenant()"
