"""Login and logout for the merchant and support areas (same view, area templates)."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse, reverse_lazy

from common import roles
from common.access import AREA_MESSAGES

AREA_ROLES = {"seller": roles.MERCHANT, "support": roles.AGENT}


class AreaAuthenticationForm(AuthenticationForm):
    """Refuses, at the form, an account that cannot use the area: a buyer signing in at
    /seller/login/ used to be signed in and then stuck on a 403."""

    role = roles.MERCHANT

    def __init__(self, request=None, *args, role=None, **kwargs):
        super().__init__(request, *args, **kwargs)
        if role:
            self.role = role

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not roles.has_role(user, self.role):
            raise ValidationError(AREA_MESSAGES[self.role], code="wrong_area")


class AreaLoginView(auth_views.LoginView):
    area = "seller"
    form_class = AreaAuthenticationForm

    @property
    def redirect_authenticated_user(self):
        # Only someone who may use the area skips the form; anyone else signed in (a buyer,
        # an agent in the merchant area) sees it, with a way to sign out first.
        return roles.has_role(self.request.user, AREA_ROLES[self.area])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "role": AREA_ROLES[self.area]}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "logout_url": reverse(f"{self.area}:logout"),
        }

    def get_template_names(self):
        return [f"{self.area}/login.html"]

    def get_default_redirect_url(self):
        return reverse_lazy(f"{self.area}:" + ("dashboard" if self.area == "seller" else "queue"))


class AreaLogoutView(auth_views.LogoutView):
    area = "seller"

    def get_success_url(self):
        return reverse_lazy(f"{self.area}:login")
