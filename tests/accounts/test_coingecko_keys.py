"""A cryptodt key given the CoinGecko way (its headers or query parameters) on /api/v3/."""

import pytest

pytestmark = pytest.mark.django_db


def limit_of(response) -> int:
    return int(response["X-RateLimit-Limit"])


@pytest.mark.parametrize(
    "how",
    [
        {"HTTP_X_CG_DEMO_API_KEY": "{key}"},
        {"HTTP_X_CG_PRO_API_KEY": "{key}"},
        {"QUERY_STRING": "x_cg_demo_api_key={key}"},
        {"QUERY_STRING": "x_cg_pro_api_key={key}"},
    ],
    ids=["demo-header", "pro-header", "demo-param", "pro-param"],
)
def test_a_coingecko_style_key_gets_the_keys_tier(api, api_key, how):
    anonymous = limit_of(api.get("/api/v3/ping"))
    extra = {name: value.format(key=api_key) for name, value in how.items()}
    response = api.get("/api/v3/ping", **extra)
    assert response.status_code == 200 and limit_of(response) > anonymous


def test_a_wrong_coingecko_style_key_is_refused_like_a_wrong_x_api_key(api, db):
    assert api.get("/api/v3/ping", HTTP_X_CG_DEMO_API_KEY="cdt_nope").status_code == 401
    assert api.get("/api/v3/ping", QUERY_STRING="x_cg_demo_api_key=cdt_nope").status_code == 401


def test_coingecko_key_names_are_ignored_outside_api_v3(api, api_key):
    anonymous = limit_of(api.get("/api/market"))
    response = api.get("/api/market", HTTP_X_CG_DEMO_API_KEY=api_key, QUERY_STRING=f"x_cg_demo_api_key={api_key}")
    assert limit_of(response) == anonymous
