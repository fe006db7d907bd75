"""Smaller failures of issue 12: one whitespace rule for API keys, a JWT's WebSocket
closed at the token's expiry, a deleted user's refresh token."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from streaming.consumers import CLOSE_UNAUTHENTICATED
from tests.streaming.conftest import TIMEOUT, connected, receive

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user(username="ada", password="correct-Horse-battery-9")


@pytest.fixture
def api_key(user):
    from accounts import services

    return services.api_key_issue(user=user, name="drill").key


@pytest.mark.parametrize("padding", [" ", "\n", "\t ", " \r\n"])
def test_a_key_with_surrounding_whitespace_is_the_same_key_over_http_and_websocket(api, api_key, padding):
    assert api.get("/api/auth/me", HTTP_X_API_KEY=api_key + padding).status_code == 200

    async def scenario():
        from urllib.parse import quote

        client = await connected(f"api_key={quote(padding + api_key + padding)}")
        await client.send_json_to({"action": "ping"})
        assert await receive(client) == {"type": "pong"}
        await client.disconnect()

    async_to_sync(scenario)()


def test_a_websocket_opened_with_a_jwt_is_closed_with_an_error_frame_when_the_token_expires(user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=1))

    async def scenario():
        client = await connected(f"token={token}")
        error = await client.receive_json_from(timeout=TIMEOUT + 2)
        assert error["type"] == "error" and error["code"] == "token_expired"
        closed = await client.receive_output(timeout=TIMEOUT)
        assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
        await client.disconnect(code=CLOSE_UNAUTHENTICATED)  # as the server reports the closed socket

    async_to_sync(scenario)()


def test_a_deleted_users_refresh_token_is_a_401_envelope(api, user):
    refresh = str(RefreshToken.for_user(user))
    user.delete()
    response = api.post("/api/auth/token/refresh", {"refresh": refresh}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
