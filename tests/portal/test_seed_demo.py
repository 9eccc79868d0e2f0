import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from portal.models import Tenant

DEMO_SIGN_INS = [
    ("poste", "E100001"),
    ("poste", "collab@poste.example"),
    ("universite", "DEMO12345"),
    ("syndicat", "membre@syndicat.example"),
    ("coffre", "123456789012"),
    ("coffre", "salarie@coffre.example"),
    ("poste", "helpdesk@poste.example"),
    ("universite", "helpdesk@universite.example"),
    ("syndicat", "helpdesk@syndicat.example"),
    ("coffre", "helpdesk@coffre.example"),
]


@pytest.mark.django_db
class TestSeedDemo:
    def test_refused_when_debug_is_off(self, settings):
        settings.DEBUG = False
        with pytest.raises(CommandError):
            call_command("seed_demo")
        assert not Tenant.objects.exists()

    def test_idempotent(self, settings):
        settings.DEBUG = True
        call_command("seed_demo")
        counts = (Tenant.objects.count(), User.objects.count())
        call_command("seed_demo")
        assert (Tenant.objects.count(), User.objects.count()) == counts == (4, 10)

    @pytest.mark.parametrize(("slug", "identifier"), DEMO_SIGN_INS)
    def test_every_documented_sign_in_works(self, client, slug, identifier):
        call_command("seed_demo", "--force", verbosity=0)
        client.post(f"/{slug}/sign-in/", {"username": identifier, "password": "Demo-Portal-2026"})
        user = client.get(f"/{slug}/").wsgi_request.user
        assert user.is_authenticated and user.tenant.slug == slug

    @pytest.mark.parametrize("slug", ["poste", "universite", "syndicat", "coffre"])
    def test_help_desk_of_each_tenant_opens_its_admin(self, client, slug):
        call_command("seed_demo", "--force", verbosity=0)
        login = client.post(
            f"/{slug}/admin/login/?next=/{slug}/admin/",
            {"username": f"helpdesk@{slug}.example", "password": "Demo-Portal-2026"},
        )
        assert login.status_code == 302
        assert client.get(f"/{slug}/admin/").status_code == 200

    def test_platform_superuser(self, client):
        call_command("seed_demo", "--force", verbosity=0)
        client.post("/admin/login/", {"username": "admin", "password": "Demo-Portal-2026"})
        assert client.get("/admin/").status_code == 200

    def test_modules_follow_the_design(self):
        call_command("seed_demo", "--force", verbosity=0)
        modules = {t.slug: t.modules for t in Tenant.objects.all()}
        assert modules == {
            "poste": ["accounts", "messaging"],
            "universite": ["accounts"],
            "syndicat": ["voting"],
            "coffre": ["vault"],
        }
        coffre = Tenant.objects.get(slug="coffre")
        assert (coffre.lockout_threshold, coffre.lockout_minutes) == (3, 120)
