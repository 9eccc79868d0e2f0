"""Under /<tenant>/messages/ (docs/journeys.md#messaging). portal.tenancy answers 404 where the tenant
has not switched secure conversations on."""

from django.urls import include, path

from .views import conversations, files, links, people

app_name = "messaging"
urlpatterns = [
    path("", conversations.inbox, name="inbox"),
    path("new/", conversations.StartConversationView.as_view(), name="start"),
    path("<int:pk>/", conversations.conversation, name="conversation"),
    path("<int:pk>/post/", conversations.post_message, name="post"),
    path("<int:pk>/messages/<int:message_id>/open/", conversations.open_message, name="open"),
    path("<int:pk>/activity/", conversations.activity, name="activity"),
    path("<int:pk>/files/<str:upload_id>/", files.download, name="download"),
    # The chunked, resumable uploads (messaging.uploads), before the post that attaches them
    path("files/", include("messaging.uploads.urls")),
    # Addresses (personas)
    path("addresses/", people.addresses, name="addresses"),
    path("addresses/confirm/<str:token>/", people.confirm_persona, name="confirm_persona"),
    # The link of a notification mail, then the page it leads to
    path("link/<str:token>/", links.follow, name="link"),
    path("welcome/", links.welcome, name="welcome"),
    path("welcome/account/", links.OpenAccountView.as_view(), name="open_account"),
    # The messaging administrator
    path("collaborators/", people.manage, name="manage"),
    path("collaborators/<int:pk>/deactivate/", people.deactivate, name="deactivate"),
    path("collaborators/<int:pk>/reactivate/", people.reactivate, name="reactivate"),
    path("collaborators/<int:pk>/hand-over/", people.hand_over, name="hand_over"),
]
