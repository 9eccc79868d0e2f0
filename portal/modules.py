"""The module contract: what an app tells the portal about itself, and how the portal finds it.

Each app's AppConfig carries `portail_module = Module(...)`. The portal reads those declarations from
Django's app registry, so it names no module: a new one is a folder with its AppConfig, added to
INSTALLED_APPS. A module whose `optional` is true is a tenant's choice (Tenant.modules); the others
(the accounts core) are always on but bring their URLs, settings, demo data and audit labels the
same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavEntry:
    """A link of the signed-in person's menu."""

    label: str
    url_name: str


@dataclass(frozen=True)
class Module:
    key: str
    name: str
    description: str = ""
    # Its addresses: a URL module with an `app_name`, mounted at `url_prefix` under the tenant.
    urls: str | None = None
    namespace: str | None = None
    url_prefix: str = ""
    # The page the home card leads to; None while the module has no page yet.
    entry_url: str | None = None
    navigation: tuple[NavEntry, ...] = ()
    # "app_label.ModelName" of its per-tenant settings, one-to-one with Tenant; None if it has none.
    settings_model: str | None = None
    # Dotted path to `seed(tenants: dict[str, Tenant]) -> str`, called by seed_demo; it returns the
    # lines it wants printed.
    demo_data: str | None = None
    audit_actions: Mapping[str, str] = field(default_factory=dict)
    optional: bool = True

    def __post_init__(self):
        object.__setattr__(self, "audit_actions", MappingProxyType(dict(self.audit_actions)))

    def get_settings_model(self):
        return apps.get_model(self.settings_model) if self.settings_model else None

    def get_demo_step(self) -> Callable | None:
        return import_string(self.demo_data) if self.demo_data else None


# Every request reads the registry (routing, home cards, menu, tenant loading): remember it for as long
# as Django's app registry holds the same apps (tests swap INSTALLED_APPS, which replaces that dict).
_remembered: tuple = (None, (), (), ())


def _registry() -> tuple:
    global _remembered
    configs = apps.app_configs
    if _remembered[0] is not configs:
        modules = tuple(
            module for config in apps.get_app_configs() if (module := getattr(config, "portail_module", None))
        )
        models = tuple(model for model in (m.get_settings_model() for m in modules) if model is not None)
        accessors = tuple(m._meta.get_field("tenant").remote_field.get_accessor_name() for m in models)
        if not apps.ready:
            return None, modules, models, accessors
        _remembered = (configs, modules, models, accessors)
    return _remembered


def all_modules() -> list[Module]:
    """Every declared module, in INSTALLED_APPS order."""
    return list(_registry()[1])


def optional_modules() -> list[Module]:
    return [module for module in all_modules() if module.optional]


def always_on_keys() -> frozenset[str]:
    return frozenset(module.key for module in _registry()[1] if not module.optional)


def get_module(key: str) -> Module | None:
    return next((module for module in all_modules() if module.key == key), None)


def module_for_namespace(namespace: str) -> Module | None:
    return next((module for module in all_modules() if module.namespace == namespace), None)


def module_of(python_path: str) -> Module | None:
    """The module whose app holds this Python module (a view, an admin class...)."""
    config = apps.get_containing_app_config(python_path)
    return getattr(config, "portail_module", None) if config is not None else None


def enabled_modules(tenant) -> list[Module]:
    """The optional modules this tenant has switched on, in INSTALLED_APPS order."""
    return [module for module in optional_modules() if tenant.has_module(module.key)]


def is_on(tenant, module: Module | None) -> bool:
    """Is this module there for this tenant? Code outside every module (None) always is."""
    return module is None or tenant.has_module(module.key)


def settings_models() -> list:
    return list(_registry()[2])


def settings_accessors() -> list[str]:
    """The names under which a tenant reaches its settings rows (their related_name)."""
    return list(_registry()[3])


def tenants_with(key: str) -> list:
    """The active tenants that use this module: a periodic task of a module works for these only."""
    from .models import Tenant

    module = get_module(key)
    tenants = Tenant.objects.filter(is_active=True)
    return [tenant for tenant in tenants if is_on(tenant, module)] if module is not None else []


def switch_on_for_demo(tenants: dict, key: str, slugs) -> None:
    """For a module's demo step: these demo tenants use the module (seed_demo resets the choice)."""
    for slug in slugs:
        tenant = tenants[slug]
        if not tenant.has_module(key):
            tenant.modules = [*tenant.modules, key]
            tenant.save(update_fields=["modules"])
