import factory

from accounts.models import User
from portal.models import Tenant

PASSWORD = "Correct-Horse-Battery-42"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Organisme {o.slug}")
    name_en = factory.LazyAttribute(lambda o: f"Organisation {o.slug}")
    sign_in_with = Tenant.SignIn.USER_ID
    module_accounts = True
    helpdesk_fr = "Assistance : 1-800-555-0199"
    helpdesk_en = "Help desk: 1-800-555-0199"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    identifier = factory.Sequence(lambda n: f"U{n:06d}")
    email = factory.LazyAttribute(lambda o: f"{o.identifier.lower()}@example.test")
    first_name = "Jeanne"
    last_name = "Test"

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
