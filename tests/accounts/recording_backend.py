"""A second authentication backend, for the tests only: it remembers what it was asked and answers no
one, so the portal's backend still decides."""

asked: list[str] = []


class RecordingBackend:
    def authenticate(self, request, identifier=None, password=None, **kwargs):
        asked.append(identifier)
        return None

    def get_user(self, user_id):
        return None
