"""Every router capability end to end against local servers in each provider's format."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from providers import coingecko_history, router
from providers.records import CoinRef
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.timeout(30)

BTC = CoinRef("bitcoin", "btc", coincap_id="bitcoin", binance_pair="BTCUSDT", kraken_pair="XXBTZUSD")
ETH = CoinRef("ethereum", "eth", binance_pair="ETHUSDT", kraken_pair="XETHZUSD")
SHIB = CoinRef("shiba-inu", "shib", coincap_id="shiba-inu", binance_pair="SHIBUSDT")
TINY = CoinRef("tiny-coin", "tiny")


def test_prices_come_from_binance_for_listed_coins_and_coingecko_for_the_rest(upstream, own_fixture):
    exchange = upstream("binance")
    gecko = upstream("coingecko")
    exchange.script("/api/v3/ticker/24hr", Reply(own_fixture("binance/ticker_24hr_all.json")))
    gecko.script("/simple/price", Reply(own_fixture("coingecko/simple_price.json")))
    fetched = router.fetch_prices([BTC, SHIB, TINY])
    assert fetched.provider == "binance,coingecko"
    assert {(q.coin_id, q.source, str(q.price)) for q in fetched.data} == {
        ("bitcoin", "binance", "43125.12000000"),
        ("shiba-inu", "binance", "0.00001234"),
        ("tiny-coin", "coingecko", "0.0421"),
    }
    # CoinGecko was asked only for what Binance does not list, with full precision.
    query = gecko.hits[0][1]
    assert query["ids"] == ["tiny-coin"] and query["precision"] == ["full"]
    assert json.loads(exchange.hits[0][1]["symbols"][0]) == ["BTCUSDT", "SHIBUSDT"]


def test_many_listed_coins_use_binances_one_all_market_call(upstream, own_fixture):
    exchange = upstream("binance")
    exchange.script("/api/v3/ticker/24hr", Reply(own_fixture("binance/ticker_24hr_all.json")))
    coins = [BTC, ETH] + [CoinRef(f"coin-{i}", f"c{i}", binance_pair=f"C{i}USDT") for i in range(120)]
    upstream("coingecko").script("/simple/price", Reply(b"{}"))
    fetched = router.fetch_prices(coins)
    assert exchange.hits == [("/api/v3/ticker/24hr", {})]
    assert {q.coin_id for q in fetched.data} == {"bitcoin", "ethereum"}


def test_quotes_carry_the_coin_refs_id_even_from_symbol_only_exchanges(upstream, own_fixture):
    exchange = upstream("binance")
    exchange.script("/api/v3/ticker/24hr", Reply(b"", status=500))
    gecko = upstream("coingecko")
    gecko.script("/simple/price", Reply(b"<html>down</html>", content_type="text/html"))
    upstream("coincap").script("/assets", Reply(b"{", status=200))
    kraken = upstream("kraken")
    kraken.script("/0/public/Ticker", Reply(own_fixture("kraken/ticker.json")))
    my_btc = CoinRef("my-bitcoin", "btc", binance_pair="BTCUSDT", kraken_pair="XXBTZUSD")
    fetched = router.fetch_prices([my_btc])
    assert fetched.provider == "kraken"
    assert [(q.coin_id, q.source) for q in fetched.data] == [("my-bitcoin", "kraken")]


def test_prices_with_every_provider_down_raise(upstream):
    names = ("binance", "coingecko", "defillama_prices", "coinpaprika", "coincap", "kraken", "coinbase")
    for name in names:
        upstream(name)  # answers 404 everywhere
    with pytest.raises(router.AllProvidersFailed) as caught:
        router.fetch_prices([BTC])
    assert set(caught.value.reasons) == set(names)


def test_coingecko_sends_the_demo_key_header(upstream, own_fixture, settings):
    from providers.registry import PROVIDERS

    settings.COINGECKO_API_KEY = "CG-demo"
    upstream("coingecko")
    assert PROVIDERS["coingecko"].headers() == {"x-cg-demo-api-key": "CG-demo"}
    settings.COINGECKO_API_PLAN = "pro"
    assert PROVIDERS["coingecko"].headers() == {"x-cg-pro-api-key": "CG-demo"}


def test_candles_fall_back_from_binance_to_kraken(upstream, own_fixture):
    upstream("binance").script("/api/v3/klines", Reply(b'{"code":-1121,"msg":"Invalid symbol."}', status=400))
    kraken = upstream("kraken")
    kraken.script("/0/public/OHLC", Reply(own_fixture("kraken/ohlc.json")))
    fetched = router.fetch_candles(BTC, interval="1h", start=datetime(2023, 11, 14, tzinfo=UTC), limit=10)
    assert fetched.provider == "kraken" and len(fetched.data) == 2
    assert kraken.hits[0][1] == {"pair": ["XXBTZUSD"], "interval": ["60"], "since": ["1699920000"]}


def test_candles_from_binance_with_the_requested_window(upstream, own_fixture):
    exchange = upstream("binance")
    exchange.script("/api/v3/klines", Reply(own_fixture("binance/klines.json")))
    start, end = datetime(2023, 11, 14, tzinfo=UTC), datetime(2023, 11, 15, tzinfo=UTC)
    fetched = router.fetch_candles(BTC, interval="1h", start=start, end=end, limit=2)
    assert fetched.provider == "binance" and fetched.data[0].open == Decimal("36500.50000000")
    assert exchange.hits[0][1]["startTime"] == ["1699920000000"] and exchange.hits[0][1]["limit"] == ["2"]


def test_coingecko_serves_only_the_4h_candles_its_free_tier_has(upstream, own_fixture):
    upstream("binance").script("/api/v3/klines", Reply(b"", status=503))
    upstream("kraken").script("/0/public/OHLC", Reply(b'{"error":["EGeneral:Internal error"]}'))
    gecko = upstream("coingecko")
    gecko.script("/coins/bitcoin/ohlc", Reply(own_fixture("coingecko/coins_ohlc.json")))
    fetched = router.fetch_candles(BTC, interval="4h", limit=3)
    assert fetched.provider == "coingecko"
    # CoinGecko stamps its bars with their close time; stored candles carry their open time.
    closes = coingecko_history.parse_ohlc(json.loads(own_fixture("coingecko/coins_ohlc.json")))[-3:]
    assert [c.t for c in fetched.data] == [c.t - timedelta(hours=4) for c in closes]
    with pytest.raises(router.AllProvidersFailed) as caught:
        router.fetch_candles(BTC, interval="1m", limit=3)
    assert "4h" in caught.value.reasons["coingecko"]


def test_price_history_falls_back_to_binance_daily_closes(upstream, own_fixture):
    gecko = upstream("coingecko")
    gecko.script("/coins/bitcoin/market_chart", Reply(b"[]"))
    upstream("binance").script("/api/v3/klines", Reply(own_fixture("binance/klines.json")))
    fetched = router.fetch_price_history(BTC, days=2)
    assert fetched.provider == "binance"
    assert [p.price for p in fetched.data] == [Decimal("36650.25000000"), Decimal("36790.00000000")]


def test_price_history_from_coingecko(upstream, own_fixture):
    upstream("coingecko").script("/coins/bitcoin/market_chart", Reply(own_fixture("coingecko/market_chart.json")))
    fetched = router.fetch_price_history(BTC, days=3)
    assert fetched.provider == "coingecko" and fetched.data[0].price == Decimal("36480.123456789")


def test_the_single_provider_capabilities(upstream, own_fixture):
    gecko = upstream("coingecko")
    gecko.script("/search/trending", Reply(own_fixture("coingecko/search_trending.json")))
    gecko.script("/global", Reply(own_fixture("coingecko/global.json")))
    gecko.script("/coins/list", Reply(own_fixture("coingecko/coins_list.json")))
    llama = upstream("defillama")
    llama.script("/protocols", Reply(own_fixture("defillama/protocols.json")))
    llama.script("/v2/chains", Reply(own_fixture("defillama/chains.json")))
    llama.script("/protocol/lido", Reply(own_fixture("defillama/protocol.json")))
    fng = upstream("alternative_me")
    fng.script("/fng/", Reply(own_fixture("alternative_me/fng.json")))

    assert router.fetch_trending().data[0].coin_id == "pepe"
    assert router.fetch_global().data.total_volume_usd == Decimal("56000000000.75")
    assert len(router.fetch_coin_list().data) == 4
    assert router.fetch_protocols().data[0].slug == "lido"
    assert router.fetch_chains().provider == "defillama"
    assert len(router.fetch_protocol_tvl("lido").data) == 3
    fetched = router.fetch_fear_greed(limit=3)
    assert fetched.provider == "alternative_me" and fetched.data[0].value == 71
    assert fng.hits[0][1]["limit"] == ["3"]


def test_exchange_pairs_leave_out_an_exchange_that_cannot_be_reached(upstream, own_fixture):
    upstream("binance").script("/api/v3/exchangeInfo", Reply(own_fixture("binance/exchange_info.json")))
    upstream("kraken").script("/0/public/AssetPairs", Reply(b"", status=502))
    assert router.fetch_exchange_pairs() == {"binance": {"BTC": "BTCUSDT", "ETH": "ETHUSDT", "SHIB": "SHIBUSDT"}}


def test_exchange_pairs_from_both_exchanges(upstream, own_fixture):
    upstream("binance").script("/api/v3/exchangeInfo", Reply(own_fixture("binance/exchange_info.json")))
    upstream("kraken").script("/0/public/AssetPairs", Reply(own_fixture("kraken/asset_pairs.json")))
    pairs = router.fetch_exchange_pairs()
    assert pairs["kraken"]["BTC"] == "XXBTZUSD" and pairs["kraken"]["DOGE"] == "XDGUSD"
    assert pairs["binance"]["BTC"] == "BTCUSDT"


def test_a_delisted_pair_in_a_binance_batch_falls_back_to_the_all_market_call(upstream, own_fixture):
    exchange = upstream("binance")
    exchange.script(
        "/api/v3/ticker/24hr",
        Reply(own_fixture("binance/error_invalid_symbol.json"), status=400),
        Reply(own_fixture("binance/ticker_24hr_all.json")),
    )
    gone = CoinRef("gone-coin", "gone", binance_pair="GONEUSDT")
    upstream("coingecko").script("/simple/price", Reply(b"{}"))
    upstream("coincap").script("/assets", Reply(b'{"data": [], "timestamp": 1700000000000}'))
    fetched = router.fetch_prices([BTC, gone])
    assert [(q.coin_id, q.source) for q in fetched.data] == [("bitcoin", "binance")]
    assert [bool(query) for _, query in exchange.hits] == [True, False]


def test_prices_in_another_currency_skip_the_usd_only_providers(upstream):
    exchange = upstream("binance")
    gecko = upstream("coingecko")
    gecko.script("/simple/price", Reply(b'{"bitcoin":{"eur":39876.5,"last_updated_at":1700000000}}'))
    fetched = router.fetch_prices([BTC], vs="eur")
    assert fetched.provider == "coingecko" and fetched.data[0].vs == "eur"
    assert fetched.data[0].price == Decimal("39876.5") and exchange.hits == []


def test_markets_stop_paging_at_a_short_page_and_trim_to_the_limit(upstream, own_fixture):
    gecko = upstream("coingecko")
    gecko.script("/coins/markets", Reply(own_fixture("coingecko/coins_markets.json")))
    fetched = router.fetch_markets(limit=2)
    assert [row.coin_id for row in fetched.data] == ["bitcoin", "shiba-inu"]
    assert gecko.hits_on("/coins/markets") == 1
