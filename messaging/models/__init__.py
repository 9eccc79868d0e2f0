"""Secure conversations (docs/journeys.md#messaging): who may start them, the addresses people read
them under, the conversations, their messages and what happened in them. Every row carries its tenant."""

from .conversations import Activity, Attachment, Conversation, Message, MessageOpening, Participation
from .people import Collaborator, MessagingAdministrator, Persona
from .settings import MessagingSettings

__all__ = [
    "Activity",
    "Attachment",
    "Collaborator",
    "Conversation",
    "Message",
    "MessageOpening",
    "MessagingAdministrator",
    "MessagingSettings",
    "Participation",
    "Persona",
]
