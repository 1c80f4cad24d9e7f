"""Root fixtures: a user per role and a logged-in client per role."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from common import roles

PASSWORD = "test-pass-123!"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Pages render in the default language unless a test switches it; uploads go to a
    # throw-away folder; configuration is read fresh in every test.
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data(request):
    # A transactional test starts from a database that an earlier transactional test has
    # emptied (flushed), losing the reference rows the migrations seed; put them back.
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not (marker.kwargs.get("transaction") or "transactional_db"
                              in request.fixturenames or "live_server" in request.fixturenames):
        return
    request.getfixturevalue("transactional_db")
    from compliance import loaders

    loaders.load_violation_types()


@pytest.fixture
def make_user(db):
    def make(username, role=None, **extra):
        roles.sync_role_groups()
        user = get_user_model().objects.create_user(
            username=username, password=PASSWORD, is_staff=role == roles.REVIEWER, **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def reviewer(make_user):
    return make_user("t_reviewer", roles.REVIEWER)


@pytest.fixture
def agent(make_user):
    return make_user("t_agent", roles.AGENT)


@pytest.fixture
def merchant(make_user):
    return make_user("t_merchant_a", roles.MERCHANT)


@pytest.fixture
def other_merchant(make_user):
    return make_user("t_merchant_b", roles.MERCHANT)


@pytest.fixture
def buyer(make_user):
    return make_user("t_buyer_a", roles.BUYER)


@pytest.fixture
def other_buyer(make_user):
    return make_user("t_buyer_b", roles.BUYER)


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    return _client_for(reviewer)


@pytest.fixture
def agent_client(agent):
    return _client_for(agent)


@pytest.fixture
def merchant_client(merchant):
    return _client_for(merchant)


@pytest.fixture
def other_merchant_client(other_merchant):
    return _client_for(other_merchant)


@pytest.fixture
def buyer_client(buyer):
    return _client_for(buyer)


@pytest.fixture
def buyer_api(buyer):
    client = APIClient()
    client.force_authenticate(buyer)
    return client


@pytest.fixture
def merchant_api(merchant):
    client = APIClient()
    client.force_authenticate(merchant)
    return client
