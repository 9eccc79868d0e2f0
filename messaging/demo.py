"""The messaging part of seed_demo: the demo post office offers secure conversations."""

from portal.modules import switch_on_for_demo


def seed(tenants) -> str:
    switch_on_for_demo(tenants, "messaging", ["poste"])
    return ""
