from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from markets.models import Candle, Coin, LatestQuote, PriceSnapshot, Protocol, ProtocolTVLPoint
from markets.services import ingest, ingest_defi, ingest_history, registry
from providers.records import Candle as CandleRecord
from providers.records import CoinListing, ProtocolTVL
from providers.validation import InvalidRecord
from tests.data.conftest import market_row, quote

pytestmark = pytest.mark.django_db


def test_the_same_upstream_row_twice_is_one_row(listing):
    t = datetime(2026, 1, 1, 12, tzinfo=UTC)
    for _ in range(2):
        ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "60000", t)], source="coingecko")
    assert PriceSnapshot.objects.filter(coin__coin_id="bitcoin", t=t).count() == 1


def test_a_tiny_price_keeps_every_digit(listing):
    listing(market_row("pepe", "pepe", price="0.00001234", cap="5000000", rank=3))
    stored = LatestQuote.objects.get(coin__coin_id="pepe")
    assert stored.price.normalize() == Decimal("0.00001234")


def test_a_huge_market_cap_fits(listing):
    listing(market_row("bitcoin", "btc", price="65000", cap="3210987654321.5", rank=1))
    assert Coin.objects.get(coin_id="bitcoin").market_cap == Decimal("3210987654321.5")


def test_the_source_provider_is_recorded_on_each_value(listing):
    t = datetime.now(UTC).replace(microsecond=0)
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "65001", t)], source="kraken")
    assert PriceSnapshot.objects.get(t=t, coin__coin_id="bitcoin").source == "kraken"
    assert LatestQuote.objects.get(coin__coin_id="bitcoin").source == "kraken"


@pytest.mark.parametrize("price", ["-1", "0", "NaN", "Infinity", "1e30"])
def test_it_rejects_an_impossible_price_and_stores_nothing_of_the_batch(listing, price):
    before = PriceSnapshot.objects.count()
    t = datetime.now(UTC)
    with pytest.raises(InvalidRecord):
        ingest.ingest_quotes(
            quotes=[quote("ethereum", "ETH", "3000", t), quote("bitcoin", "BTC", price, t)], source="coingecko"
        )
    assert PriceSnapshot.objects.count() == before


def test_it_rejects_a_price_from_the_future(listing):
    with pytest.raises(InvalidRecord):
        ingest.ingest_quotes(
            quotes=[quote("bitcoin", "BTC", "1", datetime.now(UTC) + timedelta(days=1))], source="coingecko"
        )


def test_it_rejects_a_candle_whose_high_is_below_its_low(listing):
    coin = Coin.objects.get(coin_id="bitcoin")
    bad = CandleRecord(t=datetime(2026, 1, 1, tzinfo=UTC), open=Decimal(2), high=Decimal(1), low=Decimal(3), close=2)
    with pytest.raises(InvalidRecord):
        ingest_history.ingest_candles(coin=coin, interval="1h", candles=[bad], source="binance")
    assert not Candle.objects.exists()


def test_an_older_quote_never_replaces_the_latest_one(listing):
    now = datetime.now(UTC).replace(microsecond=0)
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "2", now)], source="coingecko")
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "1", now - timedelta(minutes=5))], source="coingecko")
    assert LatestQuote.objects.get(coin__coin_id="bitcoin").price == 2


def test_a_quote_known_only_by_symbol_goes_to_the_largest_coin(listing):
    listing(market_row("bitcoin-wannabe", "btc", price="0.1", cap="1000", rank=900), track=False)
    t = datetime.now(UTC).replace(microsecond=0)
    ingest.ingest_quotes(quotes=[quote(None, "btc", "64000", t)], source="binance")
    assert PriceSnapshot.objects.get(t=t, source="binance").coin.coin_id == "bitcoin"


def test_the_tracked_set_follows_the_latest_listing(listing):
    listing(market_row("solana", "sol", rank=1))
    assert list(Coin.objects.filter(tracked=True).values_list("coin_id", flat=True)) == ["solana"]


def test_the_registry_refresh_keeps_ranks_and_assigns_pairs_to_the_largest_coin(listing):
    registry.upsert_listings(
        listings=[CoinListing("bitcoin", "btc", "Bitcoin"), CoinListing("bitcoin-wannabe", "btc", "Fake")]
    )
    registry.assign_exchange_pairs(pairs={"binance": {"BTC": "BTCUSDT"}, "kraken": {"ETH": "XETHZUSD"}})
    bitcoin = Coin.objects.get(coin_id="bitcoin")
    assert (bitcoin.market_cap_rank, bitcoin.binance_pair) == (1, "BTCUSDT")
    assert Coin.objects.get(coin_id="bitcoin-wannabe").binance_pair == ""
    assert Coin.objects.get(coin_id="ethereum").kraken_pair == "XETHZUSD"


def test_protocols_are_upserted_with_one_tvl_point_a_day(db):
    as_of = datetime.now(UTC).replace(microsecond=0)
    for tvl in ("100", "120"):
        ingest_defi.ingest_protocols(
            protocols=[ProtocolTVL("aave", "Aave", Decimal(tvl), as_of, chains=("Ethereum",), category="Lending")],
            source="defillama",
        )
    assert Protocol.objects.get().tvl == 120
    assert ProtocolTVLPoint.objects.get().tvl == 120


def test_a_fallback_listing_that_names_a_coin_by_its_own_id_updates_that_coin(listing):
    listing(market_row("binancecoin", "bnb", price="600", cap="90000000000", rank=3))
    coincap_row = market_row("binance-coin", "BNB", price="601.5", cap="91000000000", rank=3, coincap_id="binance-coin")
    ingest.ingest_market_rows(rows=[coincap_row], source="coincap", track=False)
    assert not Coin.objects.filter(coin_id="binance-coin").exists()
    bnb = Coin.objects.get(coin_id="binancecoin")
    assert (bnb.coincap_id, bnb.name) == ("binance-coin", "Binancecoin")
    assert LatestQuote.objects.get(coin=bnb).source == "coincap"


def test_an_empty_listing_never_untracks_every_coin(listing):
    with pytest.raises(InvalidRecord):
        ingest.ingest_market_rows(rows=[], source="coingecko", track=True)
    assert Coin.objects.filter(tracked=True).count() == 2
