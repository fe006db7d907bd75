"""Whatever the credentials headers hold, the answer is a 401 envelope — never a 500."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

pytestmark = pytest.mark.django_db

ME = "/api/auth/me"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _alg_none_token(user_id: int) -> str:
    claims = {"token_type": "access", "user_id": str(user_id), "exp": 4_102_444_800, "jti": "x"}
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."


def _foreign_token(user_id: int) -> str:
    claims = {"token_type": "access", "user_id": str(user_id), "exp": 4_102_444_800, "jti": "x"}
    return jwt.encode(claims, "some-other-secret-key-that-is-long-enough", algorithm="HS256")


def _expired_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    return str(token)


def _wrong_type_claims_token() -> str:
    claims = {"token_type": "access", "user_id": {"$gt": 0}, "exp": 4_102_444_800, "jti": "x"}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")


HOSTILE_AUTHORIZATION = {
    "empty": "",
    "bearer with nothing": "Bearer",
    "bearer and spaces": "Bearer    ",
    "three parts": "Bearer a b",
    "garbage token": "Bearer not.a.jwt",
    "ten kilobytes": "Bearer " + "A" * 10_240,
    "latin-1 bytes": "Bearer \xe9\xff\xfe",
    "non-latin-1 text": "Bearer токен€",
    "nul byte": "Bearer abc\x00def",
    "wrong scheme": "Token abc",
    "basic": "Basic YWRhOnB3",
}


@pytest.mark.parametrize("header", HOSTILE_AUTHORIZATION.values(), ids=HOSTILE_AUTHORIZATION.keys())
def test_hostile_authorization_headers_get_401(api, header):
    response = api.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert set(response.json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize(
    "make_token",
    [_alg_none_token, _foreign_token, lambda user_id: _wrong_type_claims_token()],
    ids=["alg none", "signed with another key", "claim of the wrong type"],
)
def test_forged_tokens_get_401(api, user, make_token):
    response = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {make_token(user.pk)}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_an_expired_token_gets_401(api, user):
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {_expired_token(user)}").status_code == 401


def test_a_refresh_token_is_not_an_access_token(api, user):
    from rest_framework_simplejwt.tokens import RefreshToken

    response = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user)}")
    assert response.status_code == 401


def test_a_token_for_a_deleted_user_gets_401(api, user):
    token = str(AccessToken.for_user(user))
    user.delete()
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


HOSTILE_API_KEYS = {
    "empty": "",
    "spaces": "   ",
    "ten kilobytes": "cdt_" + "a" * 10_240,
    "latin-1 bytes": "cdt_\xe9\xff_\xfe",
    "non-latin-1 text": "cdt_ключ€_x",
    "no secret": "cdt_0123456789ab_",
    "wrong scheme": "sk_0123456789ab_secret",
    "prefix not hex": "cdt_zzzzzzzzzzzz_secret",
    "sql-ish": "cdt_0123456789ab_' OR 1=1 --",
    "a jwt": "eyJhbGciOiJIUzI1NiJ9.e30.x",
}


@pytest.mark.parametrize("key", HOSTILE_API_KEYS.values(), ids=HOSTILE_API_KEYS.keys())
def test_hostile_api_keys_get_401(api, key):
    response = api.get(ME, HTTP_X_API_KEY=key)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


@pytest.mark.urls("tests.accounts.protected_urls")
def test_bad_credentials_on_a_public_read_are_401_not_anonymous(api):
    # Credentials that do not work are an error even where none are needed: the caller
    # meant to be someone, and silently serving them as anonymous would hide the mistake.
    assert api.get("/api/test/read").status_code == 200
    assert api.get("/api/test/read", HTTP_X_API_KEY="nope").status_code == 401
    assert api.get("/api/test/read", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
