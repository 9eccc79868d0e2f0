"""The personal vault's sealing (docs/journeys.md#menu): what a person keeps there is encrypted with
the portal's data key (accounts.crypto, PORTAIL_DATA_KEYS), which lives outside the database.

Each sealed value names its tenant, its person and what it is, so a row copied onto another person's
entry, or a label copied into a content column, does not open: whoever can write the table still
cannot make the vault show one person's secret to another.

Why the portal's key and not a key made from the person's password: the portal exists to recover
forgotten passwords, and a key from the password would lose every entry at each recovery and at each
change of password made without the old one (a linked account's, a recovery's). The entries therefore
survive a password reset, and the vault page says so: whoever resets the password by the recovery
proofs and signs in can open them."""

import json
from dataclasses import dataclass

from cryptography.fernet import InvalidToken

from accounts import crypto

LABEL, CONTENT = "label", "content"


class VaultSealBroken(Exception):
    """A sealed value that does not open for this person: altered, moved, or sealed under a key that is
    no longer listed."""


@dataclass(frozen=True)
class VaultContent:
    identifier: str
    secret: str
    note: str


def seal(*, tenant_id: int, user_id: int, part: str, value) -> str:
    return crypto.encrypt(json.dumps({"t": tenant_id, "u": user_id, "p": part, "v": value}))


def unseal(*, tenant_id: int, user_id: int, part: str, sealed: str):
    try:
        data = json.loads(crypto.decrypt(sealed))
    except (InvalidToken, ValueError) as error:
        raise VaultSealBroken from error
    if not isinstance(data, dict) or (data.get("t"), data.get("u"), data.get("p")) != (
        tenant_id,
        user_id,
        part,
    ):
        raise VaultSealBroken
    return data["v"]


def seal_entry(entry, *, label: str, content: VaultContent) -> None:
    owner = {"tenant_id": entry.tenant_id, "user_id": entry.user_id}
    entry.sealed_label = seal(**owner, part=LABEL, value=label)
    entry.sealed_content = seal(
        **owner,
        part=CONTENT,
        value={"identifier": content.identifier, "secret": content.secret, "note": content.note},
    )


def label_of(entry) -> str:
    return str(
        unseal(tenant_id=entry.tenant_id, user_id=entry.user_id, part=LABEL, sealed=entry.sealed_label)
    )


def label_or_none(entry) -> str | None:
    """The label, or None for an entry that no longer opens (its key was dropped from the list): the
    list still shows it, so that its owner can remove it."""
    try:
        return label_of(entry)
    except VaultSealBroken:
        return None


def content_of(entry) -> VaultContent:
    value = unseal(
        tenant_id=entry.tenant_id, user_id=entry.user_id, part=CONTENT, sealed=entry.sealed_content
    )
    return VaultContent(
        identifier=str(value.get("identifier", "")),
        secret=str(value.get("secret", "")),
        note=str(value.get("note", "")),
    )
