"""/api/v3/coins/{id}/tickers from the tickers of the exchanges cryptodt asks itself (Binance,
Kraken, Coinbase), kept with every REST quote; CoinGecko is not asked."""

import json
from decimal import Decimal

import pytest

from cryptodt import data_cache
from markets.models import Coin, ExchangeRate, ExchangeTicker, LatestQuote
from markets.services import collect
from providers import coingecko_exchanges
from tests.coingecko_compat.conftest import digits15
from tests.data.conftest import market_row
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db
# binance/ticker_24hr_all.json's BTCUSDT row, as Binance's docs write it
LAST, BID, ASK, VOLUME = Decimal("43125.12"), Decimal("43125.11"), Decimal("43125.12"), Decimal("24012.5")
TETHER_USD = Decimal("0.9995")


@pytest.fixture
def quoted(listing, upstream, own_fixture):
    """Bitcoin (Binance lists BTCUSDT) quoted by Binance, tether's price, CoinGecko's rates."""
    listing(
        market_row("bitcoin", "btc", price="43100", cap="850000000000", rank=1),
        market_row("tether", "usdt", price=str(TETHER_USD), cap="110000000000", rank=3),
    )
    Coin.objects.filter(coin_id="bitcoin").update(binance_pair="BTCUSDT", kraken_pair="XXBTZUSD")
    gecko = upstream("coingecko")
    gecko.script("/exchange_rates", Reply(own_fixture("coingecko/exchange_rates.json")))
    assert collect.collect_exchange_rates().ok
    upstream("binance").script("/api/v3/ticker/24hr", Reply(own_fixture("binance/ticker_24hr_all.json")))
    assert collect.collect_prices(coins=[Coin.objects.get(coin_id="bitcoin")]).ok
    rates = json.loads(own_fixture("coingecko/exchange_rates.json"))["rates"]
    return {key: Decimal(str(rates[key]["value"])) for key in ("usd", "eth")}


def test_binances_ticker_comes_back_in_coingeckos_shape_field_for_field(api, quoted):
    body = api.get("/api/v3/coins/bitcoin/tickers").json()
    usd = LAST * TETHER_USD  # USDT at tether's stored price, as CoinGecko converts it
    ticker = body["tickers"][0]
    fetched = ticker.pop("last_fetch_at")
    assert body["name"] == "Bitcoin" and len(body["tickers"]) == 1
    assert digits15(ticker) == digits15(
        {
            "base": "BTC",
            "target": "USDT",
            "market": {"name": "Binance", "identifier": "binance"},
            "last": float(LAST),
            "volume": float(VOLUME),
            "converted_last": {
                "btc": float(usd / quoted["usd"]),
                "eth": float(usd * quoted["eth"] / quoted["usd"]),
                "usd": float(usd),
            },
            "converted_volume": {
                "btc": float(VOLUME * usd / quoted["usd"]),
                "eth": float(VOLUME * usd * quoted["eth"] / quoted["usd"]),
                "usd": float(VOLUME * usd),
            },
            "trust_score": None,
            "bid_ask_spread_percentage": float((ASK - BID) / ASK * 100),
            "timestamp": "2023-11-14T22:13:20+00:00",  # Binance's closeTime 1700000000000
            "last_traded_at": "2023-11-14T22:13:20+00:00",
            "is_anomaly": False,
            "is_stale": False,
            "trade_url": "https://www.binance.com/en/trade/BTC_USDT",
            "token_info_url": None,
            "coin_id": "bitcoin",
            "target_coin_id": "tether",
            "coin_mcap_usd": 850000000000,
        }
    )
    assert fetched.endswith("+00:00")


def test_the_market_is_named_from_the_stored_exchange_directory_with_its_logo_when_asked(
    api, quoted, upstream, own_fixture, monkeypatch
):
    monkeypatch.setattr(coingecko_exchanges, "PAGE_PAUSE_S", 0)
    upstream("coingecko").script("/exchanges", Reply(own_fixture("coingecko/exchanges.json")))
    assert collect.collect_exchanges().ok
    logo = "https://coin-images.coingecko.com/markets/images/52/small/binance.jpg?1706864274"
    plain = api.get("/api/v3/coins/bitcoin/tickers").json()["tickers"][0]["market"]
    assert plain == {"name": "Binance", "identifier": "binance", "has_trading_incentive": False}
    market = api.get("/api/v3/coins/bitcoin/tickers?include_exchange_logo=true").json()["tickers"][0]["market"]
    assert market == {**plain, "logo": logo}


@pytest.mark.parametrize("ids,count", [("binance", 1), ("gdax,kraken", 0), ("kraken, binance", 1)])
def test_exchange_ids_keeps_the_tickers_of_those_coingecko_exchange_ids(api, quoted, ids, count):
    assert len(api.get(f"/api/v3/coins/bitcoin/tickers?exchange_ids={ids}").json()["tickers"]) == count


def test_a_page_past_the_last_is_empty_and_orders_are_accepted(api, quoted):
    assert api.get("/api/v3/coins/bitcoin/tickers?page=2").json()["tickers"] == []
    for order in ("trust_score_asc", "volume_desc", "volume_asc"):
        assert len(api.get(f"/api/v3/coins/bitcoin/tickers?order={order}&depth=true").json()["tickers"]) == 1
    assert api.get("/api/v3/coins/bitcoin/tickers?order=random").status_code == 400


def test_a_pair_quoted_in_a_fiat_currency_is_kept_but_not_answered(api, quoted, upstream, own_fixture):
    # CoinGecko's schema requires target_coin_id, which USD (a currency, not a coin) has none of.
    upstream("binance").script("/api/v3/ticker/24hr", Reply(b"", status=500))
    upstream("kraken").script("/0/public/Ticker", Reply(own_fixture("kraken/ticker.json")))
    ExchangeTicker.objects.all().delete()
    assert collect.collect_prices(coins=[Coin.objects.get(coin_id="bitcoin")]).provider == "kraken"
    kept = ExchangeTicker.objects.get(exchange="kraken")
    assert (kept.target, kept.bid, kept.ask, kept.volume) == ("USD", 43130, Decimal("43130.1"), Decimal("2500.25"))
    assert api.get("/api/v3/coins/bitcoin/tickers").json() == {"name": "Bitcoin", "tickers": []}


def test_a_coin_with_no_known_market_cap_has_no_ticker_answered(api, quoted):
    Coin.objects.filter(coin_id="bitcoin").update(market_cap=None)
    Coin.objects.get(coin_id="bitcoin").latest_quotes.update(market_cap=None)
    assert api.get("/api/v3/coins/bitcoin/tickers").json()["tickers"] == []


def test_a_crossed_book_stores_the_price_but_no_ticker(listing, upstream, own_fixture):
    listing(market_row("bitcoin", "btc", price="43100", cap="850000000000", rank=1))
    Coin.objects.filter(coin_id="bitcoin").update(binance_pair="BTCUSDT")
    rows = json.loads(own_fixture("binance/ticker_24hr_all.json"))
    rows[0]["bidPrice"], rows[0]["askPrice"] = "43126", "43125"
    upstream("binance").script("/api/v3/ticker/24hr", Reply(json.dumps(rows).encode()))
    assert collect.collect_prices(coins=[Coin.objects.get(coin_id="bitcoin")]).stored == 1
    assert not ExchangeTicker.objects.exists()


def test_without_exchange_rates_or_tether_the_conversions_hold_only_what_is_known(api, quoted):
    ExchangeRate.objects.all().delete()
    ticker = api.get("/api/v3/coins/bitcoin/tickers").json()["tickers"][0]
    assert set(ticker["converted_last"]) == {"usd"} == set(ticker["converted_volume"])
    LatestQuote.objects.filter(coin__coin_id="tether").delete()
    data_cache.bump("prices")
    ticker = api.get("/api/v3/coins/bitcoin/tickers").json()["tickers"][0]
    assert ticker["converted_last"] == {} == ticker["converted_volume"]


def test_a_pair_the_registry_no_longer_maps_to_the_coin_is_not_answered(api, quoted):
    Coin.objects.filter(coin_id="bitcoin").update(binance_pair="")  # Binance delisted it
    assert api.get("/api/v3/coins/bitcoin/tickers").json()["tickers"] == []
