"""The academy for merchants, included under /seller/academy/."""

from academy.views import urlpatterns  # noqa: F401

app_name = "academy"
