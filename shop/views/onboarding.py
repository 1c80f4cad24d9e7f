"""Merchant pages: sign up, apply to open a store, follow the review, store settings."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import UserCreationForm
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.access import merchant_required
from common.errors import ApplicationError
from common.uploads import private_file_response
from shop.models import MerchantApplication
from shop.selectors.stores import store_for_merchant, store_profile_changes
from shop.services import onboarding, stores


class SignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username"]


def signup(request):
    """A new merchant account; the next step is the store application."""
    if request.user.is_authenticated:
        return redirect("seller:apply")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = onboarding.merchant_signup(username=form.cleaned_data["username"],
                                          password=form.cleaned_data["password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("seller:apply")
    return render(request, "seller/signup.html", {"form": form})


class ApplicationForm(forms.Form):
    real_name = forms.CharField(label=_("Real name of the operator"), max_length=50)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=18, help_text=_("18 digits; the last may be X."))
    entity_type = forms.ChoiceField(label=_("Entity type"), choices=MerchantApplication.EntityType.choices)
    registered_name = forms.CharField(label=_("Registered name (as on the licence)"), max_length=120)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, help_text=_("18 characters, on the business licence."))
    business_scope = forms.CharField(label=_("Business scope"), widget=forms.Textarea(attrs={"rows": 3}))
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20)
    store_name = forms.CharField(label=_("Store name"), max_length=60)
    licence_file = forms.FileField(label=_("Business licence (PDF, JPG or PNG)"), required=False)


def _form_error(form, exc: ApplicationError):
    errors = exc.extra.get("errors") or {exc.field: str(exc.message)}
    for field, message in errors.items():
        form.add_error(field if field in form.fields else None, message)


@merchant_required
def apply(request):
    """The application form, or its status when one exists."""
    latest = MerchantApplication.objects.for_merchant(request.user).order_by("-submitted_at").first()
    if latest is not None and request.method == "GET" and "edit" not in request.GET:
        return redirect("seller:application")
    editing = latest is not None and latest.status == MerchantApplication.Status.REJECTED
    if latest is not None and not editing:
        return redirect("seller:application")
    initial = {f: getattr(latest, f) for f in onboarding.APPLICATION_FIELDS} if editing else {}
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if editing:
                onboarding.application_resubmit(
                    application=latest, actor=request.user, data=form.cleaned_data,
                    licence_file=form.cleaned_data.get("licence_file"),
                )
            else:
                onboarding.application_submit(
                    applicant=request.user, data=form.cleaned_data,
                    licence_file=form.cleaned_data.get("licence_file"),
                )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Application sent. We review applications in the order they arrive."))
            return redirect("seller:application")
    return render(request, "seller/onboarding/apply.html", {"form": form, "editing": editing})


@merchant_required
def application(request):
    latest = (
        MerchantApplication.objects.for_merchant(request.user)
        .prefetch_related("events__actor")
        .order_by("-submitted_at")
        .first()
    )
    if latest is None:
        return redirect("seller:apply")
    return render(request, "seller/onboarding/application.html", {"application": latest})


@merchant_required
def application_licence(request, pk):
    application = get_object_or_404(MerchantApplication.objects.for_merchant(request.user), pk=pk)
    return private_file_response(application.licence_file.open("rb"),
                                 content_type=application.licence_content_type,
                                 filename="licence")


class StoreForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=60)
    introduction = forms.CharField(label=_("Introduction"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    profile_url = forms.URLField(label=_("Your Kuaishou profile link"), required=False, assume_scheme="https")
    logo = forms.ImageField(label=_("Logo (JPG or PNG)"), required=False)


@merchant_required
def store_settings(request):
    store = store_for_merchant(request.user)
    if store is None:
        return redirect("seller:apply")
    pending, last_rejected = store_profile_changes(store)
    shown = pending or store
    form = StoreForm(
        request.POST or None, request.FILES or None,
        initial={"name": shown.name, "introduction": shown.introduction,
                 "profile_url": shown.profile_url},
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = stores.store_profile_update(store=store, actor=request.user, **{
                k: form.cleaned_data.get(k) for k in ("name", "introduction", "profile_url", "logo")
            })
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            if change is None:
                messages.success(request, _("Store saved."))
            else:
                messages.info(request, _(
                    "Your change is waiting for review; the store page shows the current "
                    "name and introduction until it is approved."))
            return redirect("seller:store")
    return render(request, "seller/onboarding/store.html", {
        "form": form, "store": store, "pending": pending, "last_rejected": last_rejected,
    })


urlpatterns = [
    path("signup/", signup, name="signup"),
    path("apply/", apply, name="apply"),
    path("application/", application, name="application"),
    path("application/<int:pk>/licence/", application_licence, name="application_licence"),
    path("store/", store_settings, name="store"),
]
