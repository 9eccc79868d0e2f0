import factory

from accounts.models import IdentityRecord, Membership, User
from portal.models import Tenant
from portal.modules import settings_models

PASSWORD = "Correct-Horse-Battery-42"


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org{n}")
    name_fr = factory.LazyAttribute(lambda o: f"Organisme {o.slug}")
    name_en = factory.LazyAttribute(lambda o: f"Organisation {o.slug}")
    modules = factory.LazyFunction(lambda: ["selfservice"])
    helpdesk_fr = "Assistance : 1-800-555-0199"
    helpdesk_en = "Help desk: 1-800-555-0199"
    sign_in_with = "user_id"

    @classmethod
    def _settings(cls, kwargs):
        """Settings of the tenant's modules (lockout_threshold=3...) may be given as for the tenant."""
        settings = []
        for model in settings_models():
            names = {f.name for f in model._meta.concrete_fields} - {"tenant"}
            settings.append((model, {name: kwargs.pop(name) for name in list(kwargs) if name in names}))
        return settings

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        cls._settings(kwargs)  # an unsaved tenant has no settings rows
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        settings = cls._settings(kwargs)
        tenant = super()._create(model_class, *args, **kwargs)
        for model, values in settings:
            if values:
                model.objects.update_or_create(tenant=tenant, defaults=values)
        tenant.refresh_from_db()
        return tenant


IDENTITY_FIELDS = ("birth_town", "birth_month", "mobile_phone", "private_number")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    identifier = factory.Sequence(lambda n: f"U{n:06d}")
    email = factory.LazyAttribute(lambda o: f"{o.identifier.lower()}@example.test")
    first_name = "Jeanne"
    last_name = "Test"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """member_number=... and the lost-identifier data (birth_town, birth_month, mobile_phone,
        private_number in clear) may be given as for the person; they go in their own rows."""
        number = kwargs.pop("member_number", "")
        identity = {k: kwargs.pop(k) for k in IDENTITY_FIELDS if k in kwargs}
        user = super()._create(model_class, *args, **kwargs)
        if number:
            Membership.objects.create(tenant=user.tenant, user=user, member_number=number)
        if identity:
            raw = identity.pop("private_number", "")
            record = IdentityRecord(tenant=user.tenant, user=user, **identity)
            if raw:
                record.set_private_number(raw)
            record.save()
        return user

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
