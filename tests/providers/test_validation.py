"""Bad upstream data is rejected whole, with a reason naming provider, endpoint and fault."""

import json
from decimal import Decimal

import pytest

from providers import binance, coincap, coingecko, defillama, kraken, stats
from providers.errors import InvalidPayload
from providers.payload import decode_json
from providers.records import CoinRef
from providers.registry import PROVIDERS
from tests.providers.fake_upstream import Reply

BTC = CoinRef("bitcoin", "btc", binance_pair="BTCUSDT")
SHIB = CoinRef("shiba-inu", "shib")


def markets_with(**changes) -> list:
    row = {
        "id": "bitcoin",
        "symbol": "btc",
        "name": "Bitcoin",
        "current_price": Decimal("43125.12"),
        "market_cap": 845312345678,
        "market_cap_rank": 1,
        "total_volume": 2,
        "last_updated": "2023-11-14T22:13:20.123Z",
    }
    good = dict(row, id="ethereum", symbol="eth", name="Ethereum", current_price=Decimal("2062.1"))
    return [good, {**row, **changes}]


def test_it_rejects_html():
    with pytest.raises(InvalidPayload, match="HTML"):
        decode_json("coingecko", "coins/markets", b"<!DOCTYPE html><html><body>Cloudflare</body></html>")


def test_it_rejects_html_announced_by_content_type():
    with pytest.raises(InvalidPayload, match="HTML"):
        decode_json("coingecko", "coins/markets", b"  maintenance", "text/html; charset=utf-8")


def test_it_rejects_truncated_json():
    with pytest.raises(InvalidPayload, match="truncated"):
        decode_json("coingecko", "coins/markets", b'[{"id":"bitcoin","current_price":431')


def test_it_rejects_an_empty_body():
    with pytest.raises(InvalidPayload, match="empty"):
        decode_json("binance", "ticker/24hr", b"")


def test_it_rejects_nan_literals():
    with pytest.raises(InvalidPayload):
        decode_json("coingecko", "simple/price", b'{"bitcoin":{"usd":NaN}}')


def test_decimals_come_from_the_json_text():
    payload = decode_json("coingecko", "simple/price", b'{"shiba-inu":{"usd":0.00001234}}')
    assert payload["shiba-inu"]["usd"] == Decimal("0.00001234")
    quote = coingecko.parse_simple_price(payload, [SHIB], vs="usd")[0]
    assert str(quote.price) == "0.00001234"


@pytest.mark.parametrize(
    "payload",
    [{"not": "a list"}, [["bitcoin"]], [{"id": "bitcoin"}], "[]"],
    ids=["object-for-list", "list-of-lists", "missing-fields", "string"],
)
def test_it_rejects_the_wrong_shape(payload):
    with pytest.raises(InvalidPayload):
        PROVIDERS["coingecko"].parse("coins/markets", coingecko.parse_markets, payload, vs="usd")


@pytest.mark.parametrize(
    "price, fault",
    [(Decimal("-1"), "not positive"), (0, "not positive"), ("NaN", "NaN"), (Decimal("5e12"), "absurd")],
    ids=["negative", "zero", "nan", "absurd"],
)
def test_one_bad_price_rejects_the_whole_page(price, fault):
    with pytest.raises(InvalidPayload, match=fault) as caught:
        coingecko.parse_markets(markets_with(current_price=price), vs="usd")
    assert caught.value.provider == "coingecko" and caught.value.endpoint == "coins/markets"
    assert "bitcoin.current_price" in caught.value.reason


def test_a_missing_price_is_rejected_not_defaulted():
    with pytest.raises(InvalidPayload, match="missing"):
        coingecko.parse_markets(markets_with(current_price=None), vs="usd")


def test_a_negative_market_cap_is_rejected():
    with pytest.raises(InvalidPayload, match="negative"):
        coingecko.parse_markets(markets_with(market_cap=-5), vs="usd")


@pytest.mark.parametrize("last_price", ["-60755.18", "0.00000000", "NaN", "abc"])
def test_binance_prices_sent_as_text_are_checked_too(last_price):
    row = {"symbol": "BTCUSDT", "lastPrice": last_price, "closeTime": 1700000000000, "priceChangePercent": "1"}
    with pytest.raises(InvalidPayload):
        binance.parse_ticker_24hr([row], [BTC])


def test_kraken_and_coincap_and_defillama_reject_impossible_values():
    with pytest.raises(InvalidPayload):
        kraken.parse_ohlc({"error": [], "result": {"XXBTZUSD": [[1699920000, "-1", "2", "1", "1", "1", "1", 1]]}})
    with pytest.raises(InvalidPayload):
        coincap.parse_assets(
            {"data": [{"id": "bitcoin", "symbol": "BTC", "name": "B", "priceUsd": "0"}], "timestamp": 1700000000000}
        )
    with pytest.raises(InvalidPayload):
        defillama.parse_chains([{"name": "Ethereum", "tvl": -3}])


def test_a_timestamp_in_the_wrong_unit_is_rejected():
    with pytest.raises(InvalidPayload, match="timestamp"):
        coincap.parse_assets({"data": [], "timestamp": 1700000000})  # seconds where CoinCap sends ms


@pytest.mark.parametrize(
    "reply, fault",
    [
        (Reply(b"<html><body>502 Bad Gateway</body></html>", content_type="text/html"), "HTML"),
        (Reply(b'[{"id":"bitcoin","symbol":"btc","name":"Bitcoin","current_price":4'), "truncated"),
        (Reply(json.dumps({"error": "shape"}).encode()), "expected a list"),
    ],
    ids=["html", "truncated", "wrong-shape"],
)
def test_a_rejected_payload_is_counted_with_its_reason(upstream, reply, fault):
    from providers import router

    gecko = upstream("coingecko")
    gecko.script("/coins/markets", reply)
    with pytest.raises(router.AllProvidersFailed):
        router.fetch_markets(limit=10, vs="eur")  # CoinCap has no EUR: nothing to fail over to
    recorded = stats.read("coingecko")
    assert recorded["validation_failures"] == 1
    assert recorded["last_error"]["endpoint"] == "coins/markets" and fault in recorded["last_error"]["reason"]
