import pytest
from django.core.management import CommandError, call_command

from accounts.models import User, check_private_number
from portal.models import Tenant

DEMO_SIGN_INS = [
    ("poste", "E100001"),
    ("poste", "collab@poste.example"),
    ("poste", "participant@poste.example"),
    ("poste", "gestion@poste.example"),
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
        assert (Tenant.objects.count(), User.objects.count()) == counts == (4, 17)

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

    def test_each_demo_tenant_has_its_modules(self):
        call_command("seed_demo", "--force", verbosity=0)
        modules = {t.slug: t.modules for t in Tenant.objects.all()}
        assert modules == {
            "poste": ["selfservice", "messaging"],
            "universite": ["selfservice"],
            "syndicat": ["voting"],
            "coffre": ["vault"],
        }
        coffre = Tenant.objects.get(slug="coffre")
        assert (coffre.account_settings.lockout_threshold, coffre.account_settings.lockout_minutes) == (
            3,
            120,
        )


@pytest.mark.django_db
class TestDemoCredentialCases:
    """The README's demo cases for credentials: each one can be tried from the sign-in page."""

    @pytest.fixture(autouse=True)
    def seeded(self, settings, capsys):
        from django.core.cache import cache

        cache.clear()
        settings.DEBUG = True
        call_command("seed_demo")
        return capsys.readouterr().out

    def test_the_locked_account_is_locked(self, client):
        response = client.post("/poste/sign-in/", {"username": "E100002", "password": "Demo-Portal-2026"})
        assert "temporairement bloqué" in response.content.decode()

    def test_the_demo_member_has_an_unverified_email(self, client):
        client.post(
            "/syndicat/sign-in/", {"username": "membre@syndicat.example", "password": "Demo-Portal-2026"}
        )
        assert "Courriel non vérifié" in client.get("/syndicat/profile/").content.decode()

    def test_the_newcomer_signs_in_with_the_printed_secret_and_lands_on_the_first_sign_in(
        self, client, seeded
    ):
        import re

        secret = re.search(r"identifier 210987654321, provisional secret (\S+)", seeded).group(1)
        client.post("/coffre/sign-in/", {"username": "210987654321", "password": secret})
        assert client.get("/coffre/")["Location"] == "/coffre/welcome/"

    def test_members_to_activate_and_without_email_exist_without_a_password(self):
        syndicat = Tenant.objects.get(slug="syndicat")
        to_activate = User.objects.for_tenant(syndicat).get(membership__member_number="912345")
        no_email = User.objects.for_tenant(syndicat).get(membership__member_number="913579")
        assert not to_activate.has_usable_password() and to_activate.email
        assert not no_email.has_usable_password() and not no_email.email

    def test_pauls_lost_identifier_answers_are_printed_and_work(self, seeded):
        coffre = Tenant.objects.get(slug="coffre")
        paul = User.objects.for_tenant(coffre).get(identifier="123456789012")
        assert "private number 588157" in seeded and check_private_number(paul.identity_record, "588157")


@pytest.mark.django_db
def test_seed_demo_stays_idempotent_after_an_approved_email_registration(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    syndicat = Tenant.objects.get(slug="syndicat")
    member = User.objects.for_tenant(syndicat).get(membership__member_number="913579")
    member.identifier = member.email = "remi@maison.example"  # as the help desk's approval does
    member.save()
    count = User.objects.count()
    call_command("seed_demo", verbosity=0)
    assert User.objects.count() == count
    member.refresh_from_db()
    assert member.identifier == "MEMBRE-913579" and member.email == ""
