"""Support agents' arbitration workbench (/support/)."""

from django.urls import path

from common.area_views import AreaLoginView, AreaLogoutView
from disputes import support_views as views

app_name = "support"

urlpatterns = [
    path("login/", AreaLoginView.as_view(area="support"), name="login"),
    path("logout/", AreaLogoutView.as_view(area="support"), name="logout"),
    path("", views.queue, name="queue"),
    path("next/", views.case_next, name="next"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/take/", views.case_take, name="case_take"),
    path("cases/<int:pk>/assign/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/message/", views.case_message, name="case_message"),
    path("cases/<int:pk>/rule/", views.case_rule, name="case_rule"),
    path("files/<int:pk>/", views.attachment, name="attachment"),
]
