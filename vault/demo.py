"""The vault part of seed_demo: the demo vault holds payslips."""

from portal.modules import switch_on_for_demo


def seed(tenants) -> str:
    switch_on_for_demo(tenants, "vault", ["coffre"])
    return ""
