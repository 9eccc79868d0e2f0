"""A stand-in for dj-pagination's `autopaginate` and `paginate` (postman's templates are written for
it): 10 a page as the portal's inbox, `?page=N`, a Paginator on the folder's queryset (one COUNT and
one sliced query, as dj-pagination does)."""

from django import template
from django.core.paginator import Paginator
from django.utils.html import format_html

register = template.Library()
PER_PAGE = 10


class AutoPaginate(template.Node):
    def __init__(self, name):
        self.name = name

    def render(self, context):
        request = context["request"]
        page = Paginator(context[self.name], PER_PAGE).get_page(request.GET.get("page"))
        context[self.name] = page.object_list
        context["page_obj"] = page
        return ""


@register.tag
def autopaginate(parser, token):
    return AutoPaginate(token.split_contents()[1])


@register.simple_tag(takes_context=True)
def paginate(context):
    page = context.get("page_obj")
    if page is None or not page.has_next():
        return ""
    return format_html(
        '<a href="?page={}">{} / {}</a>', page.next_page_number(), page.number, page.paginator.num_pages
    )
