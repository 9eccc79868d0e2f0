"""The password rules as a page shows them: one line per rule, with the numbers of the person's tenant,
and the figures the live check (static/accounts/password-rules.js) needs."""

from .password_history import PasswordHistoryValidator, history_count


def rules_context(user) -> dict:
    from .password_validation import TenantLengthValidator, min_length_for, rules_for

    rules = [
        {"code": code, "text": text, "check": "length" if index == 0 else ""}
        for index, (code, text) in enumerate(rules_for(user))
    ]
    if history_count(user):
        rules.append({"code": "password_reused", "text": PasswordHistoryValidator().get_help_text()})
    return {
        "password_rules": rules,
        "password_min_length": min_length_for(user),
        "password_max_length": TenantLengthValidator().max_length,
    }
