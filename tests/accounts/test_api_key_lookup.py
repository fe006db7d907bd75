"""The API-key lookup that every keyed request makes: one query, current rows, same objects."""

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
