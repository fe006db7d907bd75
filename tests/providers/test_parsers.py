"""Each parser against payloads recorded from the live APIs and the fixtures written from their docs."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from providers import (
    alternative_me,
    binance,
    coincap,
    coingecko,
    coingecko_coins,
    coingecko_history,
    coingecko_overview,
    defillama,
    kraken,
)
from providers.payload import decode_json
from providers.records import CoinRef

BTC = CoinRef("bitcoin", "btc", coincap_id="bitcoin", binance_pair="BTCUSDT", kraken_pair="XXBTZUSD")
ETH = CoinRef("ethereum", "eth", binance_pair="ETHUSDT", kraken_pair="XETHZUSD")
SHIB = CoinRef("shiba-inu", "shib", binance_pair="SHIBUSDT")


def load(read, relative):
    return decode_json("test", relative, read(relative))


# --- recorded payloads ----------------------------------------------------------------------


def test_it_reads_a_recorded_coingecko_simple_price(recorded_fixture):
    quotes = coingecko.parse_simple_price(load(recorded_fixture, "coingecko/simple_price.json"), [BTC], vs="usd")
    assert [(q.coin_id, q.symbol, q.price, q.market_cap) for q in quotes] == [("bitcoin", "BTC", Decimal(49013), None)]


def test_it_reads_a_recorded_coingecko_simple_price_in_eth(recorded_fixture):
    quotes = coingecko.parse_simple_price(load(recorded_fixture, "coingecko/simple_price_vs_eth.json"), [BTC], vs="eth")
    assert quotes[0].price == Decimal("14.394342") and quotes[0].vs == "eth"


@pytest.mark.parametrize("name", ["coingecko/coins_markets.json", "coingecko/coins_markets_bitcoin_usd.json"])
def test_it_reads_recorded_coingecko_markets(recorded_fixture, name):
    rows = coingecko.parse_markets(load(recorded_fixture, name), vs="usd" if "usd" in name else "eth")
    assert rows[0].coin_id == "bitcoin" and rows[0].symbol == "BTC" and rows[0].rank == 1
    assert rows[0].as_of == datetime(2021, 5, 15, 15, 59, 43, 867000, tzinfo=UTC)
    assert all(row.price > 0 for row in rows)


def test_it_reads_the_recorded_coingecko_coin_list(recorded_fixture):
    listings = coingecko_coins.parse_coin_list(load(recorded_fixture, "coingecko/coins_list.json"))
    assert len(listings) == 200 and listings[0].coin_id == "01coin"


def test_it_reads_recorded_coingecko_ohlc(recorded_fixture):
    candles = coingecko_history.parse_ohlc(load(recorded_fixture, "coingecko/coins_ohlc.json"))
    assert candles[0].open == Decimal("57945.79") and candles[0].volume is None
    assert candles == sorted(candles, key=lambda c: c.t)


@pytest.mark.parametrize("name", ["coingecko/market_chart.json", "coingecko/market_chart_30d.json"])
def test_it_reads_recorded_coingecko_market_charts(recorded_fixture, name):
    points = coingecko_history.parse_market_chart(load(recorded_fixture, name), vs="usd")
    assert len(points) > 90 - 1 and points[0].price > 0 and points[0].market_cap > 0


@pytest.mark.parametrize("name", ["coingecko/search_trending.json", "coingecko/search_trending_2025.json"])
def test_it_reads_both_recorded_trending_shapes(recorded_fixture, name):
    entries = coingecko_overview.parse_trending(load(recorded_fixture, name))
    assert [e.rank for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].symbol.isupper() and entries[0].coin_id


@pytest.mark.parametrize("name", ["coingecko/global.json", "coingecko/global_2025.json"])
def test_it_reads_recorded_coingecko_global(recorded_fixture, name):
    stats = coingecko_overview.parse_global(load(recorded_fixture, name))
    assert stats.total_market_cap_usd > Decimal("1e12") and 0 < stats.btc_dominance_pct < 100


def test_it_reads_a_recorded_binance_ticker(recorded_fixture):
    quotes = binance.parse_ticker_24hr(load(recorded_fixture, "binance/ticker_24hr.json"), [BTC])
    assert quotes[0].price == Decimal("60755.18000000") and quotes[0].change_24h_pct == Decimal("-3.003")
    assert quotes[0].as_of == datetime(2021, 10, 22, 23, 13, 21, 452000, tzinfo=UTC)


def test_it_reads_recorded_binance_klines(recorded_fixture):
    candles = binance.parse_klines(load(recorded_fixture, "binance/klines.json"))
    assert len(candles) == 10 and candles[0].close == Decimal("60719.27000000")
    assert candles[0].volume == Decimal("21.63272000")


def test_it_reads_the_recorded_binance_exchange_info(recorded_fixture):
    assert binance.parse_exchange_info(load(recorded_fixture, "binance/exchange_info.json")) == {
        "BTC": "BTCUSDT",
        "ETH": "ETHUSDT",
    }


def test_it_reads_a_recorded_kraken_ticker(recorded_fixture):
    coin = CoinRef("bitcoin", "btc", kraken_pair="XBTUSDT")
    quotes = kraken.parse_ticker(load(recorded_fixture, "kraken/ticker.json"), [coin])
    assert quotes[0].price == Decimal("105899.40000")


def test_it_reads_recorded_kraken_ohlc(recorded_fixture):
    candles = kraken.parse_ohlc(load(recorded_fixture, "kraken/ohlc.json"))
    assert len(candles) == 721 and candles[0].t == datetime.fromtimestamp(1762777020, tz=UTC)


def test_it_reads_recorded_coincap_assets(recorded_fixture):
    rows = coincap.parse_assets(load(recorded_fixture, "coincap/assets_search_btc.json"))
    assert rows[2].price == Decimal("0.0007087642771888") and rows[2].rank == 603


def test_it_reads_recorded_defillama_protocols_and_chains(recorded_fixture):
    protocols = defillama.parse_protocols(load(recorded_fixture, "defillama/protocols.json"))
    assert protocols[0].slug == "curve" and protocols[0].chains[0] == "Ethereum"
    chains = defillama.parse_chains(load(recorded_fixture, "defillama/chains.json"))
    assert len(chains) == 140 and chains[0].name == "Optimism"


def test_it_reads_the_recorded_fear_and_greed(recorded_fixture):
    points = alternative_me.parse_fng(load(recorded_fixture, "alternative_me/fng.json"))
    assert [(p.value, p.classification) for p in points] == [(71, "Greed"), (71, "Greed")]
    assert points[0].t > points[1].t


# --- the project's own fixtures -----------------------------------------------------------------


def test_simple_price_keeps_every_digit_and_unknown_caps_stay_null(own_fixture):
    tiny = CoinRef("tiny-coin", "tiny")
    quotes = coingecko.parse_simple_price(load(own_fixture, "coingecko/simple_price.json"), [BTC, SHIB, tiny], vs="usd")
    by_id = {q.coin_id: q for q in quotes}
    assert str(by_id["shiba-inu"].price) == "0.00001234"
    assert by_id["bitcoin"].price == Decimal("43125.123456789")
    assert by_id["bitcoin"].as_of == datetime.fromtimestamp(1700000000, tz=UTC)
    assert by_id["tiny-coin"].market_cap is None and by_id["tiny-coin"].volume_24h is None


def test_simple_price_leaves_out_ids_coingecko_does_not_know(own_fixture):
    unknown = CoinRef("no-such-coin", "nsc")
    quotes = coingecko.parse_simple_price(load(own_fixture, "coingecko/simple_price.json"), [BTC, unknown], vs="usd")
    assert [q.coin_id for q in quotes] == ["bitcoin"]


def test_markets_keep_documented_nulls_as_none(own_fixture):
    rows = coingecko.parse_markets(load(own_fixture, "coingecko/coins_markets.json"), vs="usd")
    fresh = rows[2]
    assert fresh.market_cap is None and fresh.rank is None and fresh.change_24h_pct is None
    assert str(rows[1].price) == "0.00001234"


def test_own_coingecko_fixtures_parse(own_fixture):
    assert len(coingecko_coins.parse_coin_list(load(own_fixture, "coingecko/coins_list.json"))) == 4
    assert coingecko_history.parse_ohlc(load(own_fixture, "coingecko/coins_ohlc.json"))[2].close == Decimal("36310.75")
    points = coingecko_history.parse_market_chart(load(own_fixture, "coingecko/market_chart.json"), vs="usd")
    assert points[2].market_cap is None and points[1].volume_24h == Decimal("19000000000.25")
    trending = coingecko_overview.parse_trending(load(own_fixture, "coingecko/search_trending.json"))
    assert [(t.coin_id, t.rank) for t in trending] == [("pepe", 1), ("solana", 2)]
    stats = coingecko_overview.parse_global(load(own_fixture, "coingecko/global.json"))
    assert stats.total_market_cap_usd == Decimal("1550000000000.123") and stats.btc_dominance_pct == Decimal("51.2345")


def test_the_all_market_binance_ticker_only_judges_the_pairs_asked_for(own_fixture):
    # BCCUSDT (delisted, lastPrice 0) is in the all-market answer but not asked for.
    quotes = binance.parse_ticker_24hr(load(own_fixture, "binance/ticker_24hr_all.json"), [BTC, ETH, SHIB])
    assert {q.symbol: str(q.price) for q in quotes} == {
        "BTC": "43125.12000000",
        "ETH": "2062.10000000",
        "SHIB": "0.00001234",
    }
    assert all(q.source == "binance" for q in quotes)


def test_own_binance_fixtures_parse(own_fixture):
    assert binance.parse_klines(load(own_fixture, "binance/klines.json"))[1].close == Decimal("36790.00000000")
    pairs = binance.parse_exchange_info(load(own_fixture, "binance/exchange_info.json"))
    assert pairs == {"BTC": "BTCUSDT", "ETH": "ETHUSDT", "SHIB": "SHIBUSDT"}


def test_kraken_pairs_map_x_prefixed_names_to_common_symbols(own_fixture):
    pairs = kraken.parse_asset_pairs(load(own_fixture, "kraken/asset_pairs.json"))
    assert pairs == {"BTC": "XXBTZUSD", "ETH": "XETHZUSD", "DOGE": "XDGUSD", "SOL": "SOLUSD"}


def test_own_kraken_fixtures_parse(own_fixture):
    quotes = kraken.parse_ticker(load(own_fixture, "kraken/ticker.json"), [BTC, ETH])
    assert {q.symbol: q.price for q in quotes} == {"BTC": Decimal("43128.50000"), "ETH": Decimal("2062.45000")}
    candles = kraken.parse_ohlc(load(own_fixture, "kraken/ohlc.json"))
    assert candles[1].volume == Decimal("64.50000000")


def test_coincap_rows_carry_coingecko_ids_and_every_digit(own_fixture):
    rows = coincap.parse_assets(load(own_fixture, "coincap/assets.json"))
    assert [(r.coin_id, r.coincap_id) for r in rows][:2] == [("bitcoin", "bitcoin"), ("binancecoin", "binance-coin")]
    assert rows[0].price == Decimal("43124.9876543210987654") and str(rows[2].price) == "0.0000123400000000"


def test_own_defillama_fixtures_parse(own_fixture):
    protocols = defillama.parse_protocols(load(own_fixture, "defillama/protocols.json"))
    assert protocols[1].tvl is None and protocols[1].symbol is None and protocols[1].change_1d_pct is None
    chains = defillama.parse_chains(load(own_fixture, "defillama/chains.json"))
    assert chains[1].tvl == 0 and chains[1].token_symbol is None
    points = defillama.parse_protocol_tvl(load(own_fixture, "defillama/protocol.json"))
    assert points[-1].tvl == Decimal("19876543210.123")


def test_fear_and_greed_comes_newest_first(own_fixture):
    points = alternative_me.parse_fng(load(own_fixture, "alternative_me/fng.json"))
    assert [p.value for p in points] == [71, 25, 50]
