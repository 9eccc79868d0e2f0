"""Plain Django: Django's own sign-in view, and a signed-in page that greets the user by name."""

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import render
from django.urls import path


@login_required(login_url="/sign-in/")
def home(request):
    return render(request, "peer/home.html")


urlpatterns = [
    path("", home, name="home"),
    path("sign-in/", LoginView.as_view(template_name="peer/sign_in.html", next_page="/"), name="login"),
]
