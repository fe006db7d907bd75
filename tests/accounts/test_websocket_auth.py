"""accounts.authentication.authenticate_websocket, for the WebSocket layer."""

import pytest
from rest_framework import exceptions
from rest_framework_simplejwt.tokens import AccessToken

from accounts import keys
from accounts.authentication import authenticate_websocket
from accounts.models import Tier

pytestmark = pytest.mark.django_db


def test_an_api_key_in_the_query_string_identifies_the_user(user, api_key):
    identity = authenticate_websocket(f"api_key={api_key}".encode())
    assert identity.user == user
    assert identity.api_key.prefix == keys.parse(api_key).prefix
    assert identity.tier == Tier.FREE


def test_a_token_in_the_query_string_identifies_the_user(user):
    identity = authenticate_websocket(f"token={AccessToken.for_user(user)}")
    assert identity.user == user and identity.api_key is None


def test_no_credentials_is_anonymous_while_anonymous_reads_are_on(settings):
    identity = authenticate_websocket(b"")
    assert identity.tier == Tier.ANONYMOUS and not identity.user.is_authenticated
    settings.ANON_READS = False
    with pytest.raises(exceptions.NotAuthenticated):
        authenticate_websocket(b"")


@pytest.mark.parametrize(
    "query",
    [
        b"token=",
        b"api_key=",
        b"token=garbage",
        b"api_key=cdt_0123456789ab_x",
        b"token=" + b"A" * 10_240,
        b"api_key=%ff",
    ],
)
def test_bad_credentials_are_refused(query):
    with pytest.raises(exceptions.AuthenticationFailed):
        authenticate_websocket(query)


@pytest.mark.django_db(transaction=True)
def test_async_consumers_have_an_awaitable_version(user, api_key):
    from asgiref.sync import async_to_sync

    from accounts.authentication import aauthenticate_websocket

    identity = async_to_sync(aauthenticate_websocket)(f"api_key={api_key}".encode())
    assert identity.user.pk == user.pk
