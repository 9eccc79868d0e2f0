"""How the conversation window dates a message: "02 févr. 2015 – 15:14:18 HNE", in the tenant's
time zone (the tenancy middleware activates it), with the zone's abbreviation in the page's language.
Django's French formats have neither this month abbreviation nor French zone names."""

from django import template
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

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
