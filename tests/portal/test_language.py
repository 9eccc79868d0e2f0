import pytest


@pytest.mark.django_db
class TestLanguage:
    def test_french_canada_is_the_default(self, client, tenant_a):
        html = client.get("/alpha/").content.decode()
        assert '<html lang="fr-CA">' in html
        assert "Alpha FR" in html
        assert 'value="en"' in html and ">English<" in html

    def test_switching_to_english_and_back_keeps_the_page(self, client, tenant_a):
        response = client.post("/alpha/i18n/setlang/", {"language": "en", "next": "/alpha/sign-in/"})
        assert response.status_code == 302 and response["Location"] == "/alpha/sign-in/"
        html = client.get("/alpha/sign-in/").content.decode()
        assert '<html lang="en">' in html
        assert "Alpha EN" in html and "Sign in" in html and ">Français<" in html
        client.post("/alpha/i18n/setlang/", {"language": "fr-ca", "next": "/alpha/"})
        assert '<html lang="fr-CA">' in client.get("/alpha/").content.decode()

    def test_switch_refuses_a_next_outside_the_portal(self, client, tenant_a):
        response = client.post("/alpha/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
        assert response["Location"] == "/alpha/"

    def test_french_pages_are_translated(self, client, tenant_a):
        html = client.get("/alpha/sign-in/").content.decode()
        assert "Ouvrir une session" in html
        assert "Passer au contenu principal" in html

    def test_choice_is_remembered_on_the_signed_in_account(self, client, sign_in, user_a):
        sign_in(user_a)
        client.post("/alpha/i18n/setlang/", {"language": "en", "next": "/alpha/"})
        user_a.refresh_from_db()
        assert user_a.preferred_language == "en"

    def test_a_signed_in_choice_is_one_entry_in_the_account_history(self, client, sign_in, user_a):
        from portal.models import AuditEntry

        sign_in(user_a)
        client.post("/alpha/i18n/setlang/", {"language": "en", "next": "/alpha/"})
        client.post("/alpha/i18n/setlang/", {"language": "en", "next": "/alpha/"})  # no change: no entry
        entries = AuditEntry.objects.filter(action="account.language_changed", target_id=str(user_a.pk))
        assert [(e.actor_id, e.details) for e in entries] == [(user_a.pk, {"language": "en"})]
        assert "Language changed" in client.get("/alpha/profile/").content.decode()

    def test_platform_pages_switch_too(self, client, tenant_a):
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert '<html lang="en">' in client.get("/").content.decode()
