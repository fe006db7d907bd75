"""CoinGecko's exchange directory and the exchanges' book tops, from the payloads their docs write."""

import json
from decimal import Decimal

import pytest

from providers import binance, coinbase, coingecko_exchanges, kraken
from providers.errors import InvalidPayload
from providers.payload import decode_json
from providers.records import CoinRef, Exchange

BTC = CoinRef("bitcoin", "btc", binance_pair="BTCUSDT", kraken_pair="XXBTZUSD", coinbase_pair="BTC-USD")


def load(read, relative):
    return decode_json("test", relative, read(relative))


def test_it_reads_coingeckos_exchange_directory_field_for_field(own_fixture):
    rows = coingecko_exchanges.parse_exchanges(load(own_fixture, "coingecko/exchanges.json"))
    assert rows[1] == Exchange(
        exchange_id="binance",
        name="Binance",
        year_established=2017,
        country="Cayman Islands",
        description="One of the world's largest cryptocurrency exchanges by trading volume.",
        url="https://www.binance.com/",
        image="https://coin-images.coingecko.com/markets/images/52/small/binance.jpg?1706864274",
        has_trading_incentive=False,
        trust_score=10,
        trust_score_rank=2,
        trade_volume_24h_btc=Decimal("95140.00808634966"),
    )
    unrated = rows[2]
    assert (unrated.year_established, unrated.country, unrated.trust_score, unrated.trust_score_rank) == (None,) * 4
    assert unrated.description == ""


def test_an_older_answers_normalized_volume_is_kept(own_fixture):
    body = json.loads(own_fixture("coingecko/exchanges.json"))
    body[0]["trade_volume_24h_btc_normalized"] = 13692.36
    assert coingecko_exchanges.parse_exchanges(body)[0].trade_volume_24h_btc_normalized == Decimal("13692.36")


@pytest.mark.parametrize(
    "change",
    [{"trust_score_rank": 0}, {"url": 5}, {"description": "x" * 5001}, {"name": None}, {"trade_volume_24h_btc": None}],
)
def test_an_impossible_exchange_fails_the_page(own_fixture, change):
    body = json.loads(own_fixture("coingecko/exchanges.json"))
    body[0].update(change)
    with pytest.raises(InvalidPayload):
        coingecko_exchanges.parse_exchanges(body)


def test_binances_ticker_carries_its_pair_book_top_and_base_volume(own_fixture):
    (quote,) = binance.parse_ticker_24hr(load(own_fixture, "binance/ticker_24hr_all.json"), [BTC])
    assert (quote.pair, quote.target, quote.bid, quote.ask, quote.base_volume) == (
        "BTCUSDT",
        "USDT",
        Decimal("43125.11"),
        Decimal("43125.12"),
        Decimal("24012.5"),
    )


def test_krakens_ticker_carries_its_pair_book_top_and_base_volume(own_fixture):
    (quote,) = kraken.parse_ticker(load(own_fixture, "kraken/ticker.json"), [BTC])
    assert (quote.pair, quote.target, quote.bid, quote.ask, quote.base_volume) == (
        "XXBTZUSD",
        "USD",
        Decimal("43130"),
        Decimal("43130.1"),
        Decimal("2500.25"),
    )


def test_coinbases_ticker_carries_its_pair_book_top_and_base_volume(own_fixture):
    quote = coinbase.parse_ticker(load(own_fixture, "coinbase/ticker.json"), BTC)
    assert (quote.pair, quote.target, quote.bid, quote.ask, quote.base_volume) == (
        "BTC-USD",
        "USD",
        Decimal("65012.34"),
        Decimal("65012.35"),
        Decimal("8123.45678901"),
    )
