"""Login and logout for the merchant and support areas (same view, area templates)."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class AreaLoginView(auth_views.LoginView):
    area = "seller"
    redirect_authenticated_user = True

    def get_template_names(self):
        return [f"{self.area}/login.html"]

    def get_default_redirect_url(self):
        return reverse_lazy(f"{self.area}:" + ("dashboard" if self.area == "seller" else "queue"))


class AreaLogoutView(auth_views.LogoutView):
    area = "seller"

    def get_success_url(self):
        return reverse_lazy(f"{self.area}:login")
