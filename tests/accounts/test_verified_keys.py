"""Each process's verified keys (accounts.credentials): trusted only under the current
credentials version, never holding a key that failed, never emptied by a login."""

import pytest
from django.contrib.auth.models import update_last_login
from rest_framework.exceptions import AuthenticationFailed

from accounts import authentication, credentials, keys, services
from cryptodt import counters

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_verified_yet():
    credentials.forget()


def test_a_key_verified_once_is_answered_without_a_query(api_key, django_assert_num_queries):
    authentication.verified_api_key(api_key)
    with django_assert_num_queries(0):
        assert authentication.verified_api_key(api_key, database=False) is not None


def test_keys_that_fail_are_never_kept(api_key):
    for bad in ["cdt_000000000000_guess", api_key[:-1] + ("A" if api_key[-1] != "A" else "B"), "x" * 5000, "é"]:
        with pytest.raises(AuthenticationFailed):
            authentication.verified_api_key(bad)
    assert credentials._verified == {}


def test_the_raw_key_is_not_what_is_kept(api_key):
    authentication.verified_api_key(api_key)
    assert api_key not in credentials._verified
    assert keys.digest(api_key) in credentials._verified


def test_a_lost_version_counter_trusts_no_key_verified_before(api_key):
    authentication.verified_api_key(api_key)
    counters.delete(credentials.VERSION_KEY)  # Redis flushed, the shared table recreated
    assert authentication.verified_api_key(api_key, database=False) is None


def test_any_credentials_change_anywhere_makes_the_next_request_verify_again(api_key, user):
    authentication.verified_api_key(api_key)
    before = credentials.version()
    services.api_key_issue(user=user, name="another")
    assert credentials.version() != before
    assert authentication.verified_api_key(api_key, version=before, database=False) is None


def test_a_login_does_not_make_every_process_verify_its_keys_again(api_key, user):
    before = credentials.version()
    update_last_login(None, user)
    assert credentials.version() == before


def test_a_caller_that_fetched_the_version_itself_passes_it(api_key):
    version = credentials.version()
    authentication.verified_api_key(api_key, version=version)
    identity = authentication.cached_identity({"HTTP_X_API_KEY": api_key}, path="/api/prices", version=version)
    assert identity.api_key.prefix == keys.parse(api_key).prefix
    stale = authentication.cached_identity({"HTTP_X_API_KEY": api_key}, path="/api/prices", version=version + 1)
    assert stale is authentication.UNDECIDED
