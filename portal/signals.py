"""Events the portal announces for the apps built on it. The portal names no app, so what an app does
about an event (remembering it on an account, auditing it) is the app's receiver's business."""

from django.dispatch import Signal

# A signed-in person chose a language in the portal's switch. Arguments: request, user, language
# (one of settings.LANGUAGES). The app that owns the user model remembers the choice on the account.
language_chosen = Signal()
