from django.urls import path

from common.area_views import AreaLoginView, AreaLogoutView
from shop import views

app_name = "seller"

urlpatterns = [
    path("login/", AreaLoginView.as_view(area="seller"), name="login"),
    path("logout/", AreaLogoutView.as_view(area="seller"), name="logout"),
    path("", views.dashboard, name="dashboard"),
]
