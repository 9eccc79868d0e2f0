from django.http import HttpResponse
from django.urls import path


def shelf(request):
    return HttpResponse(f"books of {request.tenant.slug}")


app_name = "library"
urlpatterns = [path("", shelf, name="shelf")]
