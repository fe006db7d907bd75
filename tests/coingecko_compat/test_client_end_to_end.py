"""A plain CoinGecko client, pointed at a live cryptodt by changing only its base URL."""

import pytest
import requests

from tests.coingecko_compat.conftest import store_candles, store_global, store_history, store_trending

pytestmark = pytest.mark.django_db(transaction=True)


class CoinGeckoClient:
    """What CoinGecko client libraries do: GET base + path with query parameters, read JSON."""

    def __init__(self, base_url: str = "https://api.coingecko.com/api/v3"):
        self.base_url, self.session = base_url.rstrip("/"), requests.Session()

    def get(self, path: str, **params):
        response = self.session.get(f"{self.base_url}/{path.lstrip('/')}", params=params, timeout=10)
        if response.status_code >= 400:
            raise RuntimeError(f"{response.status_code}: {response.json()['error']}")
        return response.json()


def test_a_coingecko_client_works_against_cryptodt(live_server, listing, settings):
    settings.RATE_ANON = "100/m"  # ten calls in a row from one anonymous client
    store_history(hours=30)
    store_candles(interval="30m", count=30)
    store_global()
    store_trending()
    client = CoinGeckoClient(base_url=f"{live_server.url}/api/v3")

    assert client.get("ping") == {"gecko_says": "(V3) To the Moon!"}
    assert client.get("simple/price", ids="bitcoin", vs_currencies="usd") == {"bitcoin": {"usd": 65000.12}}
    assert {"id": "ethereum", "symbol": "eth", "name": "Ethereum"} in client.get("coins/list")
    markets = client.get("coins/markets", vs_currency="usd", order="market_cap_desc", per_page=1, page=1)
    assert [row["id"] for row in markets] == ["bitcoin"]
    assert client.get("global")["data"]["total_market_cap"]["usd"] == 2500000000000.25
    assert client.get("search/trending")["coins"][0]["item"]["id"] == "ethereum"
    chart = client.get("coins/bitcoin/market_chart", vs_currency="usd", days=1)
    assert len(chart["prices"]) >= 24
    assert client.get("coins/bitcoin/ohlc", vs_currency="usd", days=1)[-1][4] == 105.125
    with pytest.raises(RuntimeError, match="404: coin not found"):
        client.get("coins/nope/ohlc", vs_currency="usd", days=1)


def test_pycoingecko_runs_unmodified_against_cryptodt_by_base_url_and_key(
    live_server, listing, settings, upstream, own_fixture, django_user_model
):
    """The pycoingecko package, as its users write it; only its base URL and key change."""
    from pycoingecko import CoinGeckoAPI

    from accounts import services
    from tests.providers.fake_upstream import Reply

    gecko = upstream("coingecko")
    gecko.script("/coins/bitcoin", Reply(own_fixture("coingecko/coins_bitcoin.json")))
    store_history(hours=48)
    store_global()
    store_trending()
    key = services.api_key_issue(user=django_user_model.objects.create_user("ada", password="x" * 12), name="cg").key

    cg = CoinGeckoAPI(demo_api_key=key)  # sends the key as x_cg_demo_api_key
    cg.api_base_url = f"{live_server.url}/api/v3/"

    assert cg.ping() == {"gecko_says": "(V3) To the Moon!"}
    assert cg.get_price(ids="bitcoin", vs_currencies="usd") == {"bitcoin": {"usd": 65000.12}}
    assert cg.get_supported_vs_currencies() == ["usd"]
    assert cg.search(query="eth")["coins"][0]["id"] == "ethereum"
    assert [c["id"] for c in cg.get_coins_markets(vs_currency="usd")] == ["bitcoin", "ethereum"]
    coin = cg.get_coin_by_id("bitcoin")  # pycoingecko asks coins/bitcoin/ (trailing slash)
    assert coin["web_slug"] == "bitcoin" and coin["market_data"]["current_price"] == {"usd": 65000.12}
    now = int(__import__("time").time())
    chart = cg.get_coin_market_chart_range_by_id("bitcoin", "usd", now - 40 * 3600, now)
    assert len(chart["prices"]) >= 39
    assert cg.get_search_trending()["coins"][0]["item"]["slug"] == "ethereum"
    assert cg.get_global()["markets"] == 1297  # pycoingecko unwraps "data"
