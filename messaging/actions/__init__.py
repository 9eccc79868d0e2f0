"""Writes of secure conversations (docs/journeys.md#messaging). Each `do_*` action owns its
transaction, writes its audit entry and queues its mail on commit. The unread counts (per
participation and per persona) are changed here, where messages are posted and opened, so that no
page ever counts messages.

Split by noun; every name is imported from here (`from messaging import actions`):
- `common.py`: `Refused`, `refusable`, the audit entry, addresses as personas of the tenant;
- `people.py`: personas (their confirmation link, add, confirm, claim the account's address) and
  collaborators (enable, deactivate, reactivate, hand over their conversations);
- `conversations.py`: start, post, attach files, download one, open a message, mark as seen;
- `notifications.py`: the notification mail, its signed link, its resending;
- `account_from_link.py`: an account opened from a notification;
- `expiry.py`: the expiry of messages past their date.
"""

from .account_from_link import do_open_account
from .common import Refused, normalise_email, persona_for, personas_for, refusable
from .conversations import (
    READ_ONLY,
    do_download_attachment,
    do_open_message,
    do_post_message,
    do_start_conversation,
    mark_seen,
)
from .expiry import EXPIRY_BATCH, do_expire_messages
from .notifications import (
    ACCESS_LINK_DAYS,
    ACCESS_LINK_SALT,
    access_link,
    do_resend_notification,
    notify,
    read_access_token,
)
from .people import (
    NO_SUCH_PERSON,
    PERSONA_LINK_SALT,
    PERSONA_LINK_SECONDS,
    PERSONA_TAKEN,
    do_add_persona,
    do_claim_account_address,
    do_confirm_persona,
    do_deactivate_collaborator,
    do_enable_collaborator,
    do_hand_over_conversations,
    do_reactivate_collaborator,
    persona_token,
    read_persona_token,
)

__all__ = [
    "ACCESS_LINK_DAYS",
    "ACCESS_LINK_SALT",
    "EXPIRY_BATCH",
    "NO_SUCH_PERSON",
    "PERSONA_LINK_SALT",
    "PERSONA_LINK_SECONDS",
    "PERSONA_TAKEN",
    "READ_ONLY",
    "Refused",
    "access_link",
    "do_add_persona",
    "do_claim_account_address",
    "do_confirm_persona",
    "do_deactivate_collaborator",
    "do_download_attachment",
    "do_enable_collaborator",
    "do_expire_messages",
    "do_hand_over_conversations",
    "do_open_account",
    "do_open_message",
    "do_post_message",
    "do_reactivate_collaborator",
    "do_resend_notification",
    "do_start_conversation",
    "mark_seen",
    "normalise_email",
    "notify",
    "persona_for",
    "personas_for",
    "persona_token",
    "read_access_token",
    "read_persona_token",
    "refusable",
]
