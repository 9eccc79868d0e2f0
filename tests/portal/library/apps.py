"""A module that exists only in the test suite: it plugs in through its AppConfig alone."""

from django.apps import AppConfig

from portal.modules import Module, NavEntry


class LibraryConfig(AppConfig):
    name = "tests.portal.library"
    label = "library"

    portail_module = Module(
        key="library",
        name="Lending library",
        description="Borrow the organisation's books.",
        urls="tests.portal.library.urls",
        namespace="library",
        url_prefix="library/",
        entry_url="library:shelf",
        navigation=(NavEntry("My loans", "library:shelf"),),
        audit_actions={"library.book_borrowed": "Book borrowed"},
    )
