"""django-postman 4.6 as its documentation installs it, under /messages/, with Django's own sign-in."""

from django.contrib.auth.views import LoginView
from django.urls import include, path

urlpatterns = [
    path("messages/", include("postman.urls", namespace="postman")),
    path(
        "sign-in/",
        LoginView.as_view(template_name="postman_peer/sign_in.html", next_page="/messages/inbox/"),
        name="login",
    ),
]
