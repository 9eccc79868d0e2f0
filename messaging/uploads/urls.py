"""The resumable upload endpoints. The conversations include them under their tenant prefix:
``path("files/", include("messaging.uploads.urls"))`` (namespace "uploads")."""

from django.urls import path

from . import views

app_name = "uploads"

urlpatterns = [
    path("", views.create_upload, name="create"),
    path("<uuid:upload_id>/", views.upload_detail, name="upload"),
]
