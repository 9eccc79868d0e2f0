"""System checks of the module declarations, so a mistake in a new module's AppConfig shows at start-up
(`manage.py check`, the test run) rather than as a page that is missing for some tenant."""

from django.core import checks

from .modules import Module, all_modules


def module_errors(modules: list[Module]) -> list[checks.CheckMessage]:
    errors = []
    seen_keys, seen_namespaces = set(), set()
    for module in modules:
        if module.key in seen_keys:
            errors.append(checks.Error(f"Two modules declare the key {module.key!r}.", id="portal.E101"))
        seen_keys.add(module.key)
        if module.namespace:
            if module.namespace in seen_namespaces:
                errors.append(
                    checks.Error(f"Two modules declare the namespace {module.namespace!r}.", id="portal.E102")
                )
            seen_namespaces.add(module.namespace)
        if module.urls and not module.namespace:
            # Without a namespace, the middleware could not tell its pages apart to answer 404.
            errors.append(checks.Error(f"Module {module.key!r} has URLs but no namespace.", id="portal.E103"))
        model = module.get_settings_model() if module.settings_model else None
        if model is not None:
            field = next((f for f in model._meta.concrete_fields if f.name == "tenant"), None)
            if field is None or not (field.one_to_one and field.primary_key):
                errors.append(
                    checks.Error(
                        f"{model._meta.label}: a module's settings are one row per tenant, keyed by a "
                        "`tenant` OneToOneField(primary_key=True).",
                        id="portal.E104",
                    )
                )
    return errors


@checks.register()
def check_modules(app_configs=None, **kwargs):
    return module_errors(all_modules())
