"""Each provider as it answers today, against a local server speaking its documented format:
keyless Coinbase, CoinPaprika and DefiLlama prices, keyed CoinCap v3 and CoinDesk, Binance's
451/418, CoinGecko's key-on-the-wrong-host errors, 429 with Retry-After and paging."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from providers import breaker, budget, router
from providers.errors import Blocked, NotConfigured, NotSupported, RateLimited, UpstreamError
from providers.records import CoinRef
from providers.registry import PROVIDERS
from providers.status import capability_rows, provider_rows, readiness
from tests.providers.fake_upstream import Reply

BTC = CoinRef(coin_id="bitcoin", symbol="btc", binance_pair="BTCUSDT", kraken_pair="XXBTZUSD", coinbase_pair="BTC-USD")
ETH = CoinRef(coin_id="ethereum", symbol="eth", coinbase_pair="ETH-USD")


@pytest.fixture
def fixture(own_fixture):
    return lambda name: own_fixture(f"{name}")


# -- keyless newcomers -----------------------------------------------------------------------


def test_coinbase_ticker_becomes_a_quote_with_usd_volume(upstream, fixture):
    upstream("coinbase").script("/products/BTC-USD/ticker", Reply(fixture("coinbase/ticker.json")))
    (quote,) = PROVIDERS["coinbase"].quotes([BTC], vs="usd", timeout=None)
    assert quote.price == Decimal("65012.34") and quote.source == "coinbase"
    assert quote.volume_24h == Decimal("8123.45678901") * Decimal("65012.34")
    assert quote.market_cap is None


def test_coinbase_candles_are_read_in_their_low_high_open_close_order(upstream, fixture):
    upstream("coinbase").script("/products/BTC-USD/candles", Reply(fixture("coinbase/candles.json")))
    end = datetime.fromtimestamp(1764626400 + 3600, UTC)
    candles = PROVIDERS["coinbase"].candles(BTC, interval="1h", limit=2, start=end - timedelta(hours=2), end=end)
    assert [c.t.timestamp() for c in candles] == [1764622800, 1764626400]  # oldest first
    last = candles[-1]
    assert (last.open, last.high, last.low, last.close) == (
        Decimal("64950.0"),
        Decimal("65100.5"),
        Decimal("64900.01"),
        Decimal("65012.34"),
    )


def test_coinbase_pages_a_long_window_300_candles_at_a_time(upstream, fixture):
    fake = upstream("coinbase")
    fake.script("/products/BTC-USD/candles", Reply(fixture("coinbase/candles.json")))
    end = datetime(2026, 12, 1, tzinfo=UTC)
    PROVIDERS["coinbase"].candles(BTC, interval="1d", limit=700, start=end - timedelta(days=700), end=end)
    windows = [hit for path, hit in fake.hits if path.endswith("/candles")]
    assert len(windows) == 3
    for hit in windows:
        span = datetime.fromisoformat(hit["end"][0]) - datetime.fromisoformat(hit["start"][0])
        assert span <= timedelta(days=300)


def test_coinbase_products_give_one_usd_pair_per_symbol(upstream, fixture):
    upstream("coinbase").script("/products", Reply(fixture("coinbase/products.json")))
    assert PROVIDERS["coinbase"].exchange_pairs(timeout=None) == {"BTC": "BTC-USD", "UNI": "UNI-USD"}


def test_coinpaprika_tickers_serve_markets_with_caps_ranks_and_coingecko_ids(upstream, fixture):
    upstream("coinpaprika").script("/tickers", Reply(fixture("coinpaprika/tickers.json")))
    rows = PROVIDERS["coinpaprika"].markets(limit=10, vs="usd", timeout=None)
    assert [row.coin_id for row in rows] == ["bitcoin", "ethereum", "binancecoin"]
    assert rows[0].market_cap == Decimal("1297000000000") and rows[0].rank == 1
    assert rows[0].price == Decimal("65010.123456789") and rows[0].foreign_id == "btc-bitcoin"


def test_coinpaprika_global_parses(upstream, fixture):
    upstream("coinpaprika").script("/global", Reply(fixture("coinpaprika/global.json")))
    stats = PROVIDERS["coinpaprika"].global_stats(timeout=None)
    assert stats.total_market_cap_usd == Decimal("2450000000000") and stats.btc_dominance_pct == Decimal("52.9")


def test_defillama_prices_are_keyed_by_coingecko_id(upstream, fixture):
    fake = upstream("defillama_prices")
    fake.script("/prices/current/coingecko:bitcoin,coingecko:ethereum", Reply(fixture("defillama_prices/current.json")))
    quotes = PROVIDERS["defillama_prices"].quotes([BTC, ETH], vs="usd", timeout=None)
    assert {q.coin_id: q.price for q in quotes} == {"bitcoin": Decimal("65008.12"), "ethereum": Decimal("3500.91")}


# -- keyed providers -------------------------------------------------------------------------


def test_coincap_v3_sends_the_bearer_key(upstream, fixture, settings):
    fake = upstream("coincap")
    fake.script("/assets", Reply(fixture("coincap/assets_v3.json")))
    rows = PROVIDERS["coincap"].markets(limit=2, vs="usd", timeout=None)
    assert rows[0].price == Decimal("65010.1234567890123456")
    assert PROVIDERS["coincap"].headers() == {"Authorization": "Bearer test-coincap-key"}
    assert settings.COINCAP_BASE_URL.endswith("/v3")


def test_without_a_key_coincap_and_coindesk_are_skipped_and_say_why(api, settings, upstream):
    settings.COINCAP_API_KEY = ""
    settings.COINDESK_API_KEY = ""
    fake = upstream("coincap")
    with pytest.raises(NotConfigured):
        PROVIDERS["coincap"].markets(limit=2, vs="usd", timeout=None)
    assert fake.hits == []  # never asked
    rows = {row["name"]: row for row in api.get("/api/providers").json()["data"]}
    assert rows["coincap"]["condition"] == "skipped"
    assert "COINCAP_API_KEY" in rows["coincap"]["condition_reason"]
    assert "COINDESK_API_KEY" in rows["coindesk"]["condition_reason"]
    assert "COINCAP_API_KEY" in readiness()["detail"]


def test_coindesk_articles_become_news_items(upstream, fixture):
    fake = upstream("coindesk")
    fake.script("/news/v1/article/list", Reply(fixture("coindesk/article_list.json")))
    (item,) = PROVIDERS["coindesk"].news(timeout=None)
    assert item.title == "Bitcoin Holds $65K as ETF Flows Turn Positive"
    assert item.source == "CoinDesk" and item.categories == ("BTC", "MARKET")
    assert item.summary.startswith("Bitcoin & ether traded higher")
    assert fake.hits[0][1]["lang"] == ["EN"]
    assert PROVIDERS["coindesk"].headers() == {"authorization": "Apikey test-coindesk-key"}


def test_a_coindesk_err_envelope_is_an_error(upstream, fixture):
    upstream("coindesk").script("/news/v1/article/list", Reply(fixture("coindesk/error_key.json"), status=401))
    with pytest.raises(UpstreamError, match="valid auth key"):
        PROVIDERS["coindesk"].news(timeout=None)


# -- CoinGecko keys and hosts ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture_name", "plan", "advice"),
    [("error_10010", "demo", "COINGECKO_API_PLAN=pro"), ("error_10011", "pro", "COINGECKO_API_PLAN=demo")],
)
def test_a_coingecko_key_on_the_wrong_host_is_reported_plainly(upstream, fixture, settings, fixture_name, plan, advice):
    settings.COINGECKO_API_KEY = "CG-key"
    settings.COINGECKO_API_PLAN = plan
    upstream("coingecko").script("/global", Reply(fixture(f"coingecko/{fixture_name}.json"), status=400))
    with pytest.raises(UpstreamError, match=advice):
        PROVIDERS["coingecko"].global_stats(timeout=None)


def test_coingecko_free_history_stops_at_365_days_and_exchanges_carry_on(upstream, fixture, own_fixture):
    gecko = upstream("coingecko")
    gecko.script("/coins/bitcoin/market_chart", Reply(fixture("coingecko/error_10012.json"), status=401))
    with pytest.raises(NotSupported):
        PROVIDERS["coingecko"].price_history(BTC, days=800, vs="usd", timeout=None)
    assert gecko.hits == []  # not even asked beyond the free year
    with pytest.raises(NotSupported, match="10012"):
        PROVIDERS["coingecko"].price_history(BTC, days=365, vs="usd", timeout=None)
    upstream("binance").script("/api/v3/klines", Reply(own_fixture("binance/klines.json")))
    fetched = router.fetch_price_history(BTC, days=800)
    assert fetched.provider == "binance" and fetched.data


def test_a_pro_key_goes_to_the_pro_host_with_the_pro_header(settings):
    settings.COINGECKO_API_KEY = "CG-pro"
    settings.COINGECKO_API_PLAN = "pro"
    assert PROVIDERS["coingecko"].headers() == {"x-cg-pro-api-key": "CG-pro"}


# -- Binance: blocked here, banned, weight ----------------------------------------------------


def test_the_defaults_are_the_hosts_that_answer_today():
    """Read in a fresh interpreter with none of the provider variables set."""
    import os
    import subprocess
    import sys

    names = ("BINANCE_BASE_URL", "BINANCE_WS_URL", "COINCAP_BASE_URL", "COINGECKO_BASE_URL", "COINGECKO_API_KEY")
    env = {k: v for k, v in os.environ.items() if k not in names}
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.BINANCE_BASE_URL, s.BINANCE_WS_URL, s.COINCAP_BASE_URL, s.COINGECKO_BASE_URL)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == [
        "https://data-api.binance.vision",
        "wss://data-stream.binance.vision",
        "https://rest.coincap.io/v3",
        "https://api.coingecko.com/api/v3",
    ]
    env.update(COINGECKO_API_KEY="CG-x", COINGECKO_API_PLAN="pro")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == "https://pro-api.coingecko.com/api/v3"


def test_a_451_is_blocked_here_not_a_flapping_breaker_and_is_left_alone_for_long(
    upstream, fixture, frozen_clock, settings, api
):
    settings.PROVIDER_BREAKER_FAILURES = 1
    fake = upstream("binance")
    fake.script("/api/v3/klines", Reply(fixture("binance/error_451.json"), status=451))
    for _ in range(3):
        with pytest.raises(router.AllProvidersFailed):
            router.fetch_candles(BTC.__class__(coin_id="bitcoin", symbol="btc", binance_pair="BTCUSDT"), interval="1h")
    assert fake.hits_on("/api/v3/klines") == 1  # asked once, then left alone
    assert breaker.read("binance").state == breaker.CLOSED
    rows = {row["name"]: row for row in api.get("/api/providers").json()["data"]}
    assert rows["binance"]["condition"] == "blocked" and "451" in rows["binance"]["condition_reason"]
    frozen_clock.advance(settings.PROVIDER_BLOCKED_BACKOFF_S + 1)
    assert budget.blocked("binance") is None


def test_a_418_is_a_ban_waited_out_for_its_whole_retry_after(upstream, frozen_clock):
    fake = upstream("binance")
    fake.script("/api/v3/klines", Reply(b'{"code":-1003,"msg":"banned"}', status=418, headers={"Retry-After": "1"}))
    with pytest.raises(RateLimited, match="418"):
        PROVIDERS["binance"].candles(BTC, interval="1h", limit=5)
    assert fake.hits_on("/api/v3/klines") == 1  # a ban is never retried inline, even a short one
    with pytest.raises(RateLimited):
        PROVIDERS["binance"].candles(BTC, interval="1h", limit=5)
    assert fake.hits_on("/api/v3/klines") == 1


def test_a_429_with_a_short_retry_after_is_waited_out_once(upstream, own_fixture):
    fake = upstream("binance")
    fake.script(
        "/api/v3/klines",
        Reply(b'{"code":-1003}', status=429, headers={"Retry-After": "0"}),
        Reply(own_fixture("binance/klines.json")),
    )
    assert PROVIDERS["binance"].candles(BTC, interval="1h", limit=5)
    assert fake.hits_on("/api/v3/klines") == 2


def test_binance_used_weight_header_is_folded_into_the_budget(upstream, own_fixture):
    upstream("binance").script(
        "/api/v3/klines", Reply(own_fixture("binance/klines.json"), headers={"X-MBX-USED-WEIGHT-1M": "4321"})
    )
    PROVIDERS["binance"].candles(BTC, interval="1h", limit=5)
    assert budget.usage("binance")["per_minute"]["used"] == 4321


# -- Kraken paging ---------------------------------------------------------------------------


def _kraken_page(start: int, count: int, last: int) -> bytes:
    bars = [[start + i * 3600, "1.0", "2.0", "0.5", "1.5", "1.2", "10.0", 3] for i in range(count)]
    return json.dumps({"error": [], "result": {"XXBTZUSD": bars, "last": last}}).encode()


def test_kraken_ohlc_pages_past_720_bars_with_last(upstream):
    fake = upstream("kraken")
    first_last = 1_700_000_000 + 719 * 3600
    fake.script(
        "/0/public/OHLC",
        Reply(_kraken_page(1_700_000_000, 720, first_last)),
        Reply(_kraken_page(first_last + 3600, 5, first_last + 5 * 3600)),
    )
    candles = PROVIDERS["kraken"].candles(
        BTC, interval="1h", limit=1000, start=datetime.fromtimestamp(1_700_000_000, UTC)
    )
    assert len(candles) == 725
    assert fake.hits[1][1]["since"] == [str(first_last)]


# -- depth with no key at all ----------------------------------------------------------------


def test_with_no_key_every_core_capability_has_two_live_providers(api, settings):
    settings.COINCAP_API_KEY = ""
    settings.COINDESK_API_KEY = ""
    body = api.get("/api/providers").json()
    capabilities = body["capabilities"]
    for capability in ("prices", "markets", "candles", "price_history"):
        assert capabilities[capability]["live_count"] >= 2, capability
        assert "coincap" not in capabilities[capability]["live"]
    assert len(settings.NEWS_RSS_FEEDS) >= 2
    assert capabilities["trending"]["keyless_depth"] == 1 and capabilities["trending"]["note"]


def test_with_keys_the_keyed_providers_join():
    rows = {row["name"]: row for row in provider_rows()}
    assert rows["coincap"]["condition"] == "live" and rows["coindesk"]["condition"] == "live"
    assert "coincap" in capability_rows()["markets"]["live"]


def test_a_blocked_provider_is_skipped_by_the_router_without_a_request(upstream, fixture):
    budget.block("binance", "HTTP 451", 3600)
    fake = upstream("binance")
    with pytest.raises(Blocked):
        PROVIDERS["binance"].candles(BTC, interval="1h", limit=5)
    assert fake.hits == []


def test_binance_history_beyond_1000_days_pages_forward_by_start_time(upstream):
    fake = upstream("binance")
    day = 86_400_000
    start = 1_500_000_000_000

    def klines(first: int, count: int) -> bytes:
        rows = [
            [first + i * day, "1", "2", "0.5", "1.5", "10", first + (i + 1) * day - 1, "15", 5, "5", "7", "0"]
            for i in range(count)
        ]
        return json.dumps(rows).encode()

    fake.script("/api/v3/klines", Reply(klines(start, 1000)), Reply(klines(start + 1000 * day, 200)))
    points = PROVIDERS["binance"].price_history(BTC, days=1200, vs="usd", timeout=None)
    assert len(points) == 1200
    assert fake.hits_on("/api/v3/klines") == 2
    assert int(fake.hits[1][1]["startTime"][0]) == start + 1000 * day


# -- 30-minute bars (CoinGecko's ohlc body for 1-2 days) ---------------------------------------


def test_binance_and_kraken_are_asked_for_their_own_30_minute_bars(upstream, own_fixture):
    binance = upstream("binance")
    binance.script("/api/v3/klines", Reply(own_fixture("binance/klines.json")))
    PROVIDERS["binance"].candles(BTC, interval="30m", limit=96)
    assert binance.hits[0][1]["interval"] == ["30m"]
    kraken = upstream("kraken")
    kraken.script("/0/public/OHLC", Reply(_kraken_page(1_700_000_000, 3, 1_700_000_000 + 2 * 3600)))
    PROVIDERS["kraken"].candles(BTC, interval="30m", limit=96)
    assert kraken.hits[0][1]["interval"] == ["30"]


def test_coinbase_30_minute_bars_merge_two_15_minute_bars(upstream):
    """Coinbase's granularities are 60, 300, 900, 3600, 21600 and 86400 s: no 30 minutes."""
    t0 = 1_764_622_800  # a 30-minute boundary
    # Newest first, [time, low, high, open, close, volume]; the 00:45 slice had no trades.
    rows = [
        [t0 + 1800, 9.0, 12.0, 10.0, 11.0, 1.5],
        [t0 + 900, 7.0, 13.0, 9.5, 9.75, 2.0],
        [t0, 8.0, 10.5, 10.0, 9.5, 1.25],
    ]
    fake = upstream("coinbase")
    fake.script("/products/BTC-USD/candles", Reply(json.dumps(rows).encode()))
    end = datetime.fromtimestamp(t0 + 3600, UTC)
    start = datetime.fromtimestamp(t0 + 600, UTC)  # mid-bar: asked from the bar's start
    candles = PROVIDERS["coinbase"].candles(BTC, interval="30m", limit=10, start=start, end=end)
    assert fake.hits[0][1]["granularity"] == ["900"]
    assert fake.hits[0][1]["start"] == [datetime.fromtimestamp(t0, UTC).isoformat()]
    first, second = candles
    assert first.t == datetime.fromtimestamp(t0, UTC)
    assert (first.open, first.high, first.low, first.close) == (10.0, 13.0, 7.0, 9.75)
    assert first.volume == Decimal("3.25")
    assert second.t == datetime.fromtimestamp(t0 + 1800, UTC) and second.close == 11.0
