"""The conversation window (docs/journeys.md#messaging-window): five messages at a time, older ones
a button away, dated in the tenant's time zone with its abbreviation, own messages on the right."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.utils import timezone, translation

from messaging import actions
from messaging.models import Message
from messaging.templatetags.messaging import stamp

pytestmark = pytest.mark.django_db
TORONTO = zoneinfo.ZoneInfo("America/Toronto")


def test_dates_read_as_in_the_seed_in_both_languages_and_seasons():
    winter = dt.datetime(2015, 2, 2, 15, 14, 18, tzinfo=TORONTO)
    summer = dt.datetime(2015, 7, 2, 9, 5, 0, tzinfo=TORONTO)
    with timezone.override(TORONTO):
        with translation.override("fr-ca"):
            assert stamp(winter) == "02 févr. 2015 – 15:14:18 HNE"
            assert stamp(summer) == "02 juill. 2015 – 09:05:00 HAE"
        with translation.override("en"):
            assert stamp(winter) == "02 Feb 2015 – 15:14:18 EST"
            assert stamp(summer) == "02 Jul 2015 – 09:05:00 EDT"


def test_five_messages_at_a_time_newest_at_the_bottom(
    client, sign_in, conversation, participant, collaborator
):
    for n in range(1, 12):
        actions.do_post_message(
            conversation=conversation, sender=collaborator.persona, body=f"Numéro {n:02d}"
        )
    mine = conversation.participations.get(persona__user=participant)
    actions.do_post_message(conversation=conversation, sender=mine.persona, body="Ma réponse")
    sign_in(participant)
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    ids = re.findall(r'id="message-(\d+)" class="thread-message (mine|theirs)"', page)
    newest = list(Message.objects.filter(conversation=conversation).order_by("-created_at", "-id")[:5])
    assert [int(i) for i, _ in ids] == [m.pk for m in reversed(newest)]
    assert ids[-1][1] == "mine" and ids[0][1] == "theirs"
    assert "Ma réponse" in page
    assert ">Messages plus anciens<" in page and ">Messages plus récents<" not in page
    older = client.get(f"/alpha/messages/{conversation.pk}/?older=1").content.decode()
    assert ">Messages plus récents<" in older
    assert len(re.findall(r'class="thread-message', older)) == 5
    oldest = client.get(f"/alpha/messages/{conversation.pk}/?older=2").content.decode()
    assert len(re.findall(r'class="thread-message', oldest)) == 3
    assert ">Messages plus anciens<" not in oldest


def test_an_expired_message_shows_its_date_not_its_words(client, sign_in, conversation, participant):
    message = conversation.messages.get()
    Message.objects.filter(pk=message.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    mine = conversation.participations.get(persona__user=participant)
    actions.do_open_message(message=message, participation=mine)
    sign_in(participant)
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert "Message expiré le" in page
    assert "premier message confidentiel" not in page
