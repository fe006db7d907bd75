"""A Bearer JWT on a cached read is decided by the fast path exactly as Django would: the
same status, headers (but Date) and body for a good, an expired and a garbage token and
over the limit, a user deactivated anywhere refused at once, and a user seen before decided
on the event loop without the thread pool."""

from datetime import timedelta

import pytest
from rest_framework_simplejwt.settings import DEFAULTS, IMPORT_STRINGS, APISettings
from rest_framework_simplejwt.tokens import AccessToken

from accounts import audit, authentication, credentials
from accounts.models import AuditEntry, Tier
from tests.fastpath import test_same_answer
from tests.fastpath.test_same_answer import (
    CLIENT,
    URLS,
    CountingExecutor,
    Spy,
    fast_and_slow,
    forget_count,
    get,
    in_another_process,
)

pytestmark = pytest.mark.django_db(transaction=True)
apps = test_same_answer.apps  # the fixture


@pytest.fixture(autouse=True)
def _nothing_verified_yet():
    # The database is emptied between tests without signals: a user id may come back.
    credentials.forget()


def bearer(user, *, lifetime: timedelta | None = None) -> dict:
    token = AccessToken.for_user(user)
    if lifetime is not None:
        token.set_exp(lifetime=lifetime)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("url", URLS)
def test_a_cached_read_with_a_jwt_is_the_same_on_both_paths_and_audited(apps, user, url):
    headers = bearer(user)
    fast, slow, django_calls = fast_and_slow(apps, url, headers, subject=f"user:{user.pk}", tier=Tier.FREE)
    assert django_calls == 0
    assert fast[0] == 200
    assert fast == slow
    assert fast[1]["x-ratelimit-limit"] == ["50"]  # the free tier's, not the anonymous one
    audit.flush()
    assert AuditEntry.objects.filter(user_id=user.pk, endpoint=url.split("?")[0], status=200).count() == 3


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-token", "Bearer a.b.c", "Bearer " + "x" * 5000, "Bearer two tokens"],
)
def test_a_garbage_token_gets_djangos_401_on_both_paths(apps, user, authorization):
    get(apps[0], URLS[0], bearer(user))  # the answer cached, the JWT headers learnt
    fast, slow, _ = fast_and_slow(apps, URLS[0], {"Authorization": authorization})
    assert fast[0] == 401
    assert fast == slow


def test_an_expired_token_gets_djangos_401_on_both_paths(apps, user):
    good = bearer(user)
    get(apps[0], URLS[0], good)
    get(apps[0], URLS[0], good)  # the user is now cached by this process
    fast, slow, _ = fast_and_slow(apps, URLS[0], bearer(user, lifetime=timedelta(seconds=-60)))
    assert fast[0] == 401
    assert fast == slow


def test_over_the_limit_a_jwt_gets_the_same_429_on_both_paths(apps, user, settings):
    settings.RATE_FREE = "2/m"
    fast_app, bridge = apps
    headers = bearer(user)
    assert get(fast_app, URLS[0], headers)[0] == 200  # Django: count 1
    assert get(fast_app, URLS[0], headers)[0] == 200  # fast path: count 2
    fast = get(fast_app, URLS[0], headers)  # count 3
    forget_count(f"user:{user.pk}", Tier.FREE)
    get(bridge, URLS[0], headers)
    get(bridge, URLS[0], headers)
    slow = get(bridge, URLS[0], headers)
    assert fast[0] == 429
    assert fast == slow


def test_a_user_deactivated_by_another_process_is_refused_at_once(apps, user):
    fast_app, bridge = apps
    headers = bearer(user)
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert get(fast_app, URLS[0], headers)[0] == 200  # now from the fast path
    deactivate = (
        "import sys, django; django.setup(); from django.contrib.auth import get_user_model; "
        "user = get_user_model().objects.get(pk=int(sys.argv[1])); user.is_active = False; user.save()"
    )
    in_another_process(deactivate, str(user.pk))
    fast = get(fast_app, URLS[0], headers)
    forget_count(f"ip:{CLIENT}", Tier.ANONYMOUS)
    slow = get(bridge, URLS[0], headers)
    assert fast[0] == 401
    assert fast == slow


def test_a_tier_change_gives_a_jwt_the_new_limit_at_once(apps, user, settings):
    from accounts import services

    settings.RATE_FREE, settings.RATE_PRO = "30/m", "600/m"
    fast_app, _ = apps
    headers = bearer(user)
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert get(fast_app, URLS[0], headers)[1]["x-ratelimit-limit"] == ["30"]  # from the fast path
    services.tier_set(user=user, tier=Tier.PRO)
    assert get(fast_app, URLS[0], headers)[1]["x-ratelimit-limit"] == ["600"]


def test_a_jwt_user_seen_before_is_decided_on_the_event_loop_without_the_thread_pool(apps, user):
    fast_app, bridge = apps
    headers = bearer(user)
    assert get(fast_app, URLS[0], headers)[0] == 200  # Django answers, the answer is cached
    assert get(fast_app, URLS[0], headers)[0] == 200  # the user read once, in a thread
    counting = CountingExecutor(bridge.executor)
    spy = Spy(bridge)
    spy.executor = counting
    fast_app.bridge = spy
    assert get(fast_app, URLS[0], bearer(user))[0] == 200  # another token of the same user too
    assert spy.calls == 0 and counting.calls == 0


def test_another_authorization_scheme_is_left_to_django(apps, user):
    fast_app, bridge = apps
    get(fast_app, URLS[0])
    spy = Spy(bridge)
    fast_app.bridge = spy
    assert get(fast_app, URLS[0], {"Authorization": "Basic YWRhOnB3"})[0] == 200  # Django: anonymous
    assert spy.calls == 1


def test_a_jwt_and_a_key_together_are_decided_by_the_jwt_as_django_does(apps, user, make_user):
    from accounts import services

    other = make_user("grace")
    headers = {**bearer(user), "X-API-Key": services.api_key_issue(user=other, name="laptop").key}
    fast, slow, django_calls = fast_and_slow(apps, URLS[0], headers, subject=f"user:{user.pk}", tier=Tier.FREE)
    assert django_calls == 0
    assert fast[0] == 200 and fast == slow
    audit.flush()
    assert not AuditEntry.objects.filter(user_id=other.pk).exists()


def test_a_jwt_setup_that_checks_a_blacklist_per_request_is_left_to_django(apps, user, settings, monkeypatch):
    # SimpleJWT reads its settings once at import (tests cannot reload them for every
    # module): the set-up as accounts.authentication sees it.
    token_classes = ["rest_framework_simplejwt.tokens.AccessToken", "rest_framework_simplejwt.tokens.SlidingToken"]
    jwt_settings = APISettings({**settings.SIMPLE_JWT, "AUTH_TOKEN_CLASSES": token_classes}, DEFAULTS, IMPORT_STRINGS)
    monkeypatch.setattr(authentication, "jwt_settings", jwt_settings)
    fast_app, bridge = apps
    headers = bearer(user)
    get(fast_app, URLS[0], headers)
    get(fast_app, URLS[0], headers)
    spy = Spy(bridge)
    fast_app.bridge = spy
    assert get(fast_app, URLS[0], headers)[0] == 200
    assert spy.calls == 1
