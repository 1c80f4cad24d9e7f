"""Every admin page a reviewer is sent to opens for a reviewer who is not a superuser."""

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db

# Pages of Django's own or of third-party apps that reviewers do not use.
NOT_FOR_REVIEWERS = {"auth", "authtoken", "django_q", "axes", "sites"}


def _reviewer_models():
    return sorted(
        (m._meta.app_label, m._meta.model_name) for m in admin.site._registry
        if m._meta.app_label not in NOT_FOR_REVIEWERS
    )


def test_the_reviewer_is_not_a_superuser(reviewer):
    assert reviewer.is_staff and not reviewer.is_superuser


@pytest.mark.parametrize("app_label, model_name", _reviewer_models())
def test_every_reviewer_changelist_opens(reviewer_client, app_label, model_name):
    res = reviewer_client.get(f"/admin/{app_label}/{model_name}/")
    assert res.status_code == 200, (app_label, model_name, res.status_code)


def test_platform_settings_open_and_change_for_a_reviewer(reviewer_client):
    home = reviewer_client.get("/admin/").content.decode()
    assert "/admin/common/platformsetting/" in home
    res = reviewer_client.get("/admin/common/platformsetting/add/")
    assert res.status_code == 200
