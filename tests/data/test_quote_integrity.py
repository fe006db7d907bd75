"""Collected data is never another coin's, and a partial quote never erases what it lacks."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import permutations

import pytest

from markets.models import Coin, LatestQuote
from markets.services import ingest, registry
from providers import stats
from providers.records import Quote
from tests.data.conftest import market_row

pytestmark = pytest.mark.django_db


def _at(seconds: int) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=seconds)


@pytest.fixture
def namesakes(listing):
    """Two coins with the symbol UNI: a large one and a tiny one."""
    before = _at(-300)
    listing(
        market_row("bitcoin", "btc", price="65000", cap="1280000000000", rank=1, as_of=before),
        market_row("ethereum", "eth", price="3500", cap="420000000000", rank=2, as_of=before),
        market_row("uniswap", "uni", price="10", cap="6000000000", rank=20, as_of=before),
        market_row("unicorn-token", "uni", price="0.002", cap="150000", rank=3000, as_of=before),
    )


def test_an_exchange_pair_belongs_only_to_the_largest_coin_with_its_symbol(namesakes):
    registry.assign_exchange_pairs(pairs={"binance": {"UNI": "UNIUSDT"}, "kraken": {"UNI": "UNIUSD"}})
    assert Coin.objects.get(coin_id="uniswap").binance_pair == "UNIUSDT"
    assert Coin.objects.get(coin_id="uniswap").kraken_pair == "UNIUSD"
    assert Coin.objects.get(coin_id="unicorn-token").binance_pair == ""
    assert Coin.objects.get(coin_id="unicorn-token").kraken_pair == ""


CYCLES = {
    # An aggregator names each coin by its id and knows both prices.
    "coingecko": [
        Quote(coin_id="uniswap", symbol="UNI", price=Decimal("10.1"), as_of=_at(0), market_cap=Decimal("6e9")),
        Quote(coin_id="unicorn-token", symbol="UNI", price=Decimal("0.0021"), as_of=_at(0)),
    ],
    # An exchange quoting by symbol only: it goes to the coin that owns the pair.
    "kraken": [Quote(coin_id=None, symbol="UNI", price=Decimal("10.2"), as_of=_at(0), source="kraken")],
    # The old bug: the shared ticker handed to the small coin as well.
    "binance": [
        Quote(coin_id="uniswap", symbol="UNI", price=Decimal("10.3"), as_of=_at(0), source="binance"),
        Quote(coin_id="unicorn-token", symbol="UNI", price=Decimal("10.3"), as_of=_at(0), source="binance"),
    ],
}


@pytest.mark.parametrize("order", list(permutations(CYCLES)), ids="-".join)
def test_two_coins_with_one_symbol_keep_their_own_price_through_every_provider_order(namesakes, order):
    for step, source in enumerate(order, start=1):
        quotes = [Quote(**{**{f: getattr(q, f) for f in q.__slots__}, "as_of": _at(step)}) for q in CYCLES[source]]
        ingest.ingest_quotes(quotes=quotes, source=source)
    big = LatestQuote.objects.get(coin__coin_id="uniswap").price
    small = LatestQuote.objects.get(coin__coin_id="unicorn-token").price
    assert Decimal("9") < big < Decimal("11")
    assert small < Decimal("0.01")


def test_a_wildly_deviating_exchange_quote_is_rejected_and_counted(namesakes):
    ingest.ingest_quotes(
        quotes=[Quote(coin_id="unicorn-token", symbol="UNI", price=Decimal("10"), as_of=_at(5), source="binance")],
        source="binance",
    )
    assert LatestQuote.objects.get(coin__coin_id="unicorn-token").price == Decimal("0.002")
    recorded = stats.read("binance")
    assert recorded["validation_failures"] == 1
    assert "unicorn-token" in recorded["last_error"]["reason"]


PARTIAL = {
    "binance": {"volume_24h": Decimal("900")},
    "kraken": {},
    "coinbase": {"volume_24h": Decimal("800")},
    "coingecko": {"market_cap": Decimal("1300000000000")},
    "defillama": {},
}


@pytest.mark.parametrize("source", PARTIAL)
def test_a_cycle_from_any_single_provider_never_blanks_a_field_another_provider_filled(api, namesakes, source):
    ingest.ingest_quotes(
        quotes=[
            Quote(
                coin_id="bitcoin", symbol="BTC", price=Decimal("65100"), as_of=_at(60), source=source, **PARTIAL[source]
            )
        ],
        source=source,
    )
    latest = LatestQuote.objects.get(coin__coin_id="bitcoin")
    assert latest.price == Decimal("65100")
    assert latest.source == source
    assert latest.market_cap is not None and latest.volume_24h is not None and latest.change_24h_pct is not None
    # The market cap keeps its own time and source when this provider did not send one.
    if source != "coingecko":
        assert latest.market_source == "coingecko" and latest.market_as_of < latest.t
    else:
        assert latest.market_source == "coingecko" and latest.market_as_of == latest.t

    body = api.get(
        "/api/v3/simple/price",
        {"ids": "bitcoin", "vs_currencies": "usd", "include_market_cap": "true", "include_24hr_vol": "true"},
    ).json()
    assert body["bitcoin"]["usd_market_cap"] and body["bitcoin"]["usd_24h_vol"]

    markets = api.get("/api/v3/coins/markets", {"vs_currency": "usd"}).json()
    assert markets[0]["id"] == "bitcoin"
    caps = [row["market_cap"] for row in markets]
    assert caps == sorted(caps, reverse=True)


EXCHANGES = ("binance", "coingecko", "kraken", "coinbase", "defillama_prices")


@pytest.fixture
def namesake_upstreams(upstream, namesakes, settings):
    """Every price provider answers in its own format; only the aggregators know the small coin."""
    import json
    import time

    from tests.providers.fake_upstream import Reply

    registry.assign_exchange_pairs(
        pairs={"binance": {"UNI": "UNIUSDT"}, "kraken": {"UNI": "UNIUSD"}, "coinbase": {"UNI": "UNI-USD"}}
    )
    now_s = int(time.time())
    ticker = {
        "symbol": "UNIUSDT",
        "lastPrice": "10.30",
        "closeTime": now_s * 1000,
        "quoteVolume": "1000",
        "priceChangePercent": "1.0",
    }
    upstream("binance").script("/api/v3/ticker/24hr", Reply(json.dumps([ticker]).encode()))
    upstream("coingecko").script(
        "/simple/price",
        Reply(
            json.dumps(
                {
                    "uniswap": {"usd": 10.1, "last_updated_at": now_s},
                    "unicorn-token": {"usd": 0.0021, "last_updated_at": now_s},
                }
            ).encode()
        ),
    )
    kraken_row = {"c": ["10.2", "1"], "v": ["5", "10"], "o": "10.0"}
    upstream("kraken").script(
        "/0/public/Ticker", Reply(json.dumps({"error": [], "result": {"UNIUSD": kraken_row}}).encode())
    )
    upstream("coinbase").script(
        "/products/UNI-USD/ticker",
        Reply(json.dumps({"price": "10.25", "volume": "100", "time": datetime.now(UTC).isoformat()}).encode()),
    )
    llama = upstream("defillama_prices")
    for path in (
        "/prices/current/coingecko:uniswap,coingecko:unicorn-token",
        "/prices/current/coingecko:unicorn-token",
    ):
        llama.script(
            path,
            Reply(
                json.dumps(
                    {
                        "coins": {
                            "coingecko:uniswap": {
                                "price": 10.15,
                                "symbol": "UNI",
                                "timestamp": now_s,
                                "confidence": 0.99,
                            },
                            "coingecko:unicorn-token": {
                                "price": 0.00205,
                                "symbol": "UNI",
                                "timestamp": now_s,
                                "confidence": 0.9,
                            },
                        }
                    }
                ).encode()
            ),
        )


@pytest.mark.parametrize("first", EXCHANGES)
def test_collected_prices_of_two_namesakes_stay_their_own_whichever_provider_answers_first(
    namesake_upstreams, settings, first
):
    from providers import config

    settings.PROVIDER_ORDER = {**settings.PROVIDER_ORDER, "prices": [first, *(n for n in EXCHANGES if n != first)]}
    config.forget()
    from markets.services import collect

    coins = list(Coin.objects.filter(coin_id__in=["uniswap", "unicorn-token"]))
    for _ in range(2):
        result = collect.collect_prices(coins=coins)
        assert result.ok, result.error
    assert Decimal("9") < LatestQuote.objects.get(coin__coin_id="uniswap").price < Decimal("11")
    assert LatestQuote.objects.get(coin__coin_id="unicorn-token").price < Decimal("0.01")
