"""The API-key lookup that every keyed request makes: one query, then the cache; current rows, same objects."""

import pytest
from django.contrib.auth import get_user_model

from accounts import selectors, services

pytestmark = pytest.mark.django_db


def test_a_key_comes_with_its_user_and_profile_in_one_query(django_assert_num_queries):
    user = get_user_model().objects.create_user("dana")
    services.tier_set(user=user, tier="pro")
    issued = services.api_key_issue(user=user, name="ci")
    prefix = issued.key.split("_")[1]
    with django_assert_num_queries(1):
        found = selectors.api_key_by_prefix(prefix=prefix)
        assert found.user.username == "dana"
        assert found.user.profile.tier == "pro"
    plain = type(found).objects.get(prefix=prefix)
    assert [getattr(found, f.attname) for f in plain._meta.concrete_fields] == [
        getattr(plain, f.attname) for f in plain._meta.concrete_fields
    ]


def test_a_user_without_profile_reads_as_having_none(django_assert_num_queries):
    user = get_user_model().objects.create_user("erin")
    issued = services.api_key_issue(user=user, name="ci")
    user.profile.delete() if hasattr(user, "profile") else None
    with django_assert_num_queries(1):
        found = selectors.api_key_by_prefix(prefix=issued.key.split("_")[1])
        assert getattr(found.user, "profile", None) is None


def test_an_unknown_prefix_is_none():
    assert selectors.api_key_by_prefix(prefix="000000000000") is None


def test_a_revoked_key_is_seen_revoked_at_once():
    user = get_user_model().objects.create_user("fay")
    issued = services.api_key_issue(user=user, name="ci")
    prefix = issued.key.split("_")[1]
    assert selectors.api_key_by_prefix(prefix=prefix).revoked_at is None
    services.api_key_revoke(user=user, prefix=prefix)
    assert selectors.api_key_by_prefix(prefix=prefix).revoked_at is not None


def test_a_second_lookup_is_served_from_the_cache(django_assert_num_queries):
    user = get_user_model().objects.create_user("gus")
    prefix = services.api_key_issue(user=user, name="ci").key.split("_")[1]
    selectors.api_key_by_prefix(prefix=prefix)
    with django_assert_num_queries(0):
        assert selectors.api_key_by_prefix(prefix=prefix).user.username == "gus"


def test_a_cached_key_follows_its_users_tier_and_activity():
    user = get_user_model().objects.create_user("hal")
    prefix = services.api_key_issue(user=user, name="ci").key.split("_")[1]
    assert selectors.api_key_by_prefix(prefix=prefix).user.is_active
    services.tier_set(user=user, tier="pro")
    assert selectors.api_key_by_prefix(prefix=prefix).user.profile.tier == "pro"
    user.is_active = False
    user.save()
    assert not selectors.api_key_by_prefix(prefix=prefix).user.is_active


@pytest.mark.django_db(transaction=True)
def test_a_key_revoked_by_another_process_stops_working_at_once(api):
    import subprocess
    import sys

    from django.db import connection

    from tests.platform.processes import ROOT

    user = get_user_model().objects.create_user("ivy")
    issued = services.api_key_issue(user=user, name="ci")
    assert api.get("/api/auth/me", HTTP_X_API_KEY=issued.key).status_code == 200  # now cached
    env = {**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "cryptodt.settings"}
    name, prefix = connection.settings_dict["NAME"], issued.api_key.prefix
    script = (
        "import django; django.setup();"
        f"from django.conf import settings; settings.DATABASES['default']['NAME'] = {name!r};"
        f"from accounts import services; services.api_key_revoke(user=None, prefix={prefix!r})"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True, timeout=60)
    response = api.get("/api/auth/me", HTTP_X_API_KEY=issued.key)
    assert response.status_code == 401
