"""How the conversation window dates a message: "02 févr. 2015 – 15:14:18 HNE", in the tenant's
time zone (the tenancy middleware activates it), with the zone's abbreviation in the page's language.
Django's French formats have neither this month abbreviation nor French zone names. And the inbox's
rows (`{% inbox_rows %}`)."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy

register = template.Library()

MONTHS = [
    gettext_lazy("Jan"),
    gettext_lazy("Feb"),
    gettext_lazy("Mar"),
    gettext_lazy("Apr"),
    gettext_lazy("May"),
    gettext_lazy("Jun"),
    gettext_lazy("Jul"),
    gettext_lazy("Aug"),
    gettext_lazy("Sep"),
    gettext_lazy("Oct"),
    gettext_lazy("Nov"),
    gettext_lazy("Dec"),
]

# Canada's zones as the Office québécois de la langue française writes them: HNE is "heure normale
# de l'Est", HAE "heure avancée de l'Est".
FRENCH_ZONES = {
    "NST": "HNT",
    "NDT": "HAT",
    "AST": "HNA",
    "ADT": "HAA",
    "EST": "HNE",
    "EDT": "HAE",
    "CST": "HNC",
    "CDT": "HAC",
    "MST": "HNR",
    "MDT": "HAR",
    "PST": "HNP",
    "PDT": "HAP",
    "UTC": "UTC",
}


def zone_abbreviation(moment) -> str:
    name = moment.tzname() or ""
    if (get_language() or "").startswith("fr"):
        return FRENCH_ZONES.get(name, name)
    return name


@register.filter
def stamp(value):
    """02 févr. 2015 – 15:14:18 HNE (or 02 Feb 2015 – 15:14:18 EST)."""
    if not value:
        return ""
    moment = timezone.localtime(value)
    month = MONTHS[moment.month - 1]
    return f"{moment.day:02d} {month} {moment.year} – {moment:%H:%M:%S} {zone_abbreviation(moment)}".strip()


@register.filter
def day(value):
    """02 févr. 2015: the list's last-modified date."""
    if not value:
        return ""
    moment = timezone.localtime(value)
    return f"{moment.day:02d} {MONTHS[moment.month - 1]} {moment.year}"


@register.filter
def file_size(value):
    """1 Go, 250,5 Mo: as messaging.uploads writes sizes."""
    from messaging.uploads.api import format_size

    return format_size(int(value or 0))


_MARK = 918273645  # an id no conversation has, replaced by each row's own


@register.simple_tag
def inbox_rows(rows):
    """The lines of the inbox's table, one `<tr>` per conversation (messaging/inbox.html has the table).

    Written here, as Django's admin writes its change list's cells, instead of a template loop: that
    loop was the larger part of the inbox's CPU, about 15 template variables and tags per line, then
    format_html's 16 lazy-aware escapes per line were (benchmarks/README.md, "the inbox against
    django-postman"). Every value that comes from data goes through `escape` below; the labels are
    escaped once. Each line's two links are formed from one reversed address each."""
    mark = str(_MARK)
    conversation_url = escape(reverse("messaging:conversation", args=[_MARK]))
    activity_url = escape(reverse("messaging:activity", args=[_MARK]))
    holder, title, activities, modified, view = (
        escape(gettext(label)) for label in ("Holder", "Title", "Activities", "Modified", "view")
    )
    unread = (
        '<span class="unread"><span class="bubble" aria-hidden="true">!</span>'
        f'<span class="visually-hidden">{escape(gettext("Unread messages:"))}</span></span> '
    )
    new = f' <span class="visually-hidden">{escape(gettext("(new)"))}</span>'
    read_only = f' <span class="read-only-note">{escape(gettext("Read-only"))}</span>'
    history = gettext("the activities of “%(title)s”")
    lines = []
    for row in rows:
        pk = str(int(row.conversation_id))
        moment = escape(timezone.localtime(row.last_activity_at).isoformat())
        classes = " ".join(name for name, on in (("new", row.is_new), ("read-only", row.is_read_only)) if on)
        lines.append(
            f'<tr class="{classes}"><td data-label="{holder}">{escape(row.holder_email)}</td>'
            f'<td data-label="{title}">{unread if row.unread_count else ""}'
            f'<a href="{conversation_url.replace(mark, pk)}">{escape(row.title)}</a>'
            f"{new if row.is_new else ''}{read_only if row.is_read_only else ''}</td>"
            f'<td data-label="{activities}"><a href="{activity_url.replace(mark, pk)}">{view}'
            f'<span class="visually-hidden"> {escape(history % {"title": row.title})}</span></a></td>'
            f'<td data-label="{modified}"><time datetime="{moment}">'
            f"{escape(str(day(row.last_activity_at)))}</time></td></tr>"
        )
    return mark_safe("\n".join(lines))  # noqa: S308 - every value above is escaped
