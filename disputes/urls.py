from django.urls import path

from common.area_views import AreaLoginView, AreaLogoutView
from disputes import views

app_name = "support"

urlpatterns = [
    path("login/", AreaLoginView.as_view(area="support"), name="login"),
    path("logout/", AreaLogoutView.as_view(area="support"), name="logout"),
    path("", views.queue, name="queue"),
]
