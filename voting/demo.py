"""The voting part of seed_demo: the demo union holds member votes."""

from portal.modules import switch_on_for_demo


def seed(tenants) -> str:
    switch_on_for_demo(tenants, "voting", ["syndicat"])
    return ""
