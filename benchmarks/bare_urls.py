"""One view returning a small page: the floor the portal's pages are compared with."""

from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse(b"<!doctype html><title>bare</title><p>Hello</p>\n")


urlpatterns = [path("", hello)]
