"""Parameters of /api/v3/ as CoinGecko reads them; bad ones are CoinGecko-style 4xx, never 500."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from markets.services import ingest
from providers.records import Quote
from tests.coingecko_compat.conftest import store_candles, store_history, store_trending
from tests.data.conftest import market_row

pytestmark = pytest.mark.django_db


def test_simple_price_leaves_out_unknown_ids_and_currencies(api, listing):
    assert api.get("/api/v3/simple/price?ids=nope&vs_currencies=usd").json() == {}
    body = api.get("/api/v3/simple/price?ids=ethereum,nope,bitcoin&vs_currencies=usd,xyz").json()
    assert list(body) == ["ethereum", "bitcoin"] and body["bitcoin"] == {"usd": 65000.12}


def test_simple_price_adds_the_requested_fields(api, listing):
    params = "include_market_cap=true&include_24hr_vol=true&include_24hr_change=true&include_last_updated_at=true"
    body = api.get(f"/api/v3/simple/price?ids=bitcoin&vs_currencies=usd&{params}").json()
    entry = body["bitcoin"]
    assert list(entry) == ["usd", "usd_market_cap", "usd_24h_vol", "usd_24h_change", "last_updated_at"]
    assert entry["usd_market_cap"] == 1280000000000 and entry["usd_24h_change"] == -1.5
    assert isinstance(entry["last_updated_at"], int)


def test_simple_price_by_symbol_is_keyed_by_symbol_and_picks_the_largest_coin(api, listing):
    listing(market_row("bitcoin-wannabe", "btc", price="0.1", cap="1000", rank=5000), track=False)
    body = api.get("/api/v3/simple/price?symbols=BTC,eth,nope&vs_currencies=usd").json()
    assert body == {"btc": {"usd": 65000.12}, "eth": {"usd": 3500.5}}


def test_simple_price_serves_every_stored_currency(api, listing):
    now = datetime.now(UTC)
    ingest.ingest_quotes(quotes=[Quote("bitcoin", "BTC", Decimal("14.394342"), now, vs="eth")], source="coingecko")
    body = api.get("/api/v3/simple/price?ids=bitcoin&vs_currencies=USD,eth").json()
    assert body == {"bitcoin": {"usd": 65000.12, "eth": 14.394342}}


def test_prices_keep_every_stored_digit(api, listing):
    listing(market_row("pepe", "pepe", price="0.00001234", cap="4200000000000.5", rank=3))
    simple = api.get("/api/v3/simple/price?ids=pepe&vs_currencies=usd&include_market_cap=true")
    assert simple.content == b'{"pepe":{"usd":0.00001234,"usd_market_cap":4200000000000.5}}'
    markets = api.get("/api/v3/coins/markets?vs_currency=usd&ids=pepe")
    assert b'"current_price":0.00001234' in markets.content


def test_coins_markets_pages_through_the_listing(api, listing):
    listing(market_row("solana", "sol", price="150", cap="70000000000", rank=3))
    ids = lambda query: [row["id"] for row in api.get(f"/api/v3/coins/markets?vs_currency=usd&{query}").json()]  # noqa: E731
    assert ids("") == ["bitcoin", "ethereum", "solana"]
    assert ids("per_page=2&page=2") == ["solana"]
    assert ids("per_page=2&page=3") == []
    assert ids("order=id_desc") == ["solana", "ethereum", "bitcoin"]
    assert ids("order=market_cap_asc&ids=bitcoin,solana") == ["solana", "bitcoin"]


def test_coins_markets_adds_the_requested_price_change_windows(api, listing):
    url = "/api/v3/coins/markets?vs_currency=usd&price_change_percentage=1h,24h,7d&sparkline=true"
    row = api.get(url).json()[0]
    assert row["price_change_percentage_24h_in_currency"] == -1.5
    assert row["price_change_percentage_1h_in_currency"] is None
    assert row["price_change_percentage_7d_in_currency"] is None
    assert row["sparkline_in_7d"] == {"price": []}


def test_coins_markets_sparkline_is_the_last_week_of_hourly_closes(api, listing):
    store_history(hours=24 * 9)
    row = api.get("/api/v3/coins/markets?vs_currency=usd&ids=bitcoin&sparkline=true").json()[0]
    prices = row["sparkline_in_7d"]["price"]
    assert 167 <= len(prices) <= 169
    assert prices[0] > prices[-1]  # store_history's prices fall hour by hour


def test_coins_markets_computes_longer_price_changes_from_stored_hourly_closes(api, listing):
    store_history(hours=24 * 8)  # the close 168 hours ago is 60168.123456789
    url = "/api/v3/coins/markets?vs_currency=usd&ids=bitcoin,ethereum&price_change_percentage=7d,30d"
    bitcoin, ethereum = api.get(url).json()
    assert bitcoin["price_change_percentage_7d_in_currency"] == pytest.approx(
        (65000.12 - 60168.123456789) / 60168.123456789 * 100
    )
    assert bitcoin["price_change_percentage_30d_in_currency"] is None  # not stored that far back
    assert ethereum["price_change_percentage_7d_in_currency"] is None


def test_coins_markets_in_an_uncollected_currency_is_an_empty_page(api, listing):
    assert api.get("/api/v3/coins/markets?vs_currency=EUR").json() == []


def test_market_chart_reads_stored_history(api, listing):
    store_history(hours=72)
    hourly = api.get("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=2").json()
    assert len(hourly["prices"]) >= 47
    assert [t for t, _ in hourly["prices"]] == sorted(t for t, _ in hourly["prices"])
    assert hourly["market_caps"][0][1] == 1200000000000.5
    daily = api.get("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=2&interval=daily").json()
    assert 2 <= len(daily["prices"]) <= 3
    assert all(t % 86_400_000 == 0 for t, _ in daily["prices"])
    assert api.get("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=max").status_code == 200


def test_market_chart_prices_keep_their_digits(api, listing):
    store_history(hours=3)
    response = api.get("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=1&interval=hourly")
    assert b",60001.123456789]" in response.content


def test_ohlc_answers_4_day_bars_beyond_a_month(api, listing):
    store_candles(interval="1d", count=60)
    body = api.get("/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=90").json()
    assert 15 <= len(body) <= 16 and all(b[0] - a[0] == 4 * 86_400_000 for a, b in zip(body, body[1:], strict=False))
    assert all(t % (4 * 86_400_000) == 0 for t, *_ in body)


def test_ohlc_answers_4_hour_bars_from_3_to_30_days(api, listing):
    store_candles(interval="1h", count=48)
    body = api.get("/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=7").json()
    assert 12 <= len(body) <= 13 and all(t % (4 * 3_600_000) == 0 for t, *_ in body)
    assert body[1][1:] == [100.5, 110.25, 99, 105.125]


def test_ohlc_answers_30_minute_bars_for_1_to_2_days(api, listing):
    store_candles(interval="30m", count=60)
    body = api.get("/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=2").json()
    assert len(body) == 60 and all(b[0] - a[0] == 1_800_000 for a, b in zip(body, body[1:], strict=False))
    assert body[0][1:] == [100.5, 110.25, 99, 105.125]


def test_ohlc_stamps_each_bar_with_its_close_time_as_coingecko_does(api, listing):
    start = store_candles(interval="30m", count=4)
    opened = int(start.timestamp() * 1000)
    assert api.get("/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=1").json()[0][0] == opened + 1_800_000
    start = store_candles(interval="1h", count=8)
    four_hours = 4 * 3_600_000
    first = api.get("/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=7").json()[0][0]
    assert first == int(start.timestamp() * 1000) // four_hours * four_hours + four_hours


def test_an_unknown_coin_is_coingeckos_404(api, listing):
    for path in ("market_chart", "ohlc"):
        response = api.get(f"/api/v3/coins/nope/{path}?vs_currency=usd&days=1")
        assert response.status_code == 404
        assert response.json() == {"error": "coin not found"}


def test_an_unknown_currency_is_coingeckos_400(api, listing):
    response = api.get("/api/v3/coins/markets?vs_currency=xyz")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid vs_currency"}


def test_nothing_stored_is_a_503_in_coingeckos_shape(api, listing):
    for path in ("/api/v3/global", "/api/v3/search/trending", "/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=1"):
        response = api.get(path)
        assert response.status_code == 503
        assert set(response.json()) == {"error"}


def test_rate_limited_clients_get_coingeckos_429_shape(api, db, settings, recorded):
    settings.RATE_ANON = "2/m"
    statuses = [api.get("/api/v3/ping").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    response = api.get("/api/v3/ping")
    assert set(response.json()) == set(recorded("error_429_rate_limit.json"))
    assert set(response.json()["status"]) == {"error_code", "error_message"}
    assert response["Retry-After"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v3/simple/price?ids=bitcoin",
        "/api/v3/simple/price?ids=&vs_currencies=usd",
        "/api/v3/simple/price?ids=bit%00coin&vs_currencies=usd",
        "/api/v3/simple/price?ids=" + "a," * 300 + "&vs_currencies=usd",
        "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd&include_market_cap=maybe",
        "/api/v3/coins/list?include_platform=2",
        "/api/v3/coins/markets?vs_currency=usd&per_page=251",
        "/api/v3/coins/markets?vs_currency=usd&per_page=0",
        "/api/v3/coins/markets?vs_currency=usd&page=-1",
        "/api/v3/coins/markets?vs_currency=usd&page=1e9",
        "/api/v3/coins/markets?vs_currency=usd&order=price_desc",
        "/api/v3/coins/markets?vs_currency=usd&price_change_percentage=2y",
        "/api/v3/coins/markets?vs_currency=usd&category=layer-1",
        "/api/v3/coins/markets?vs_currency=usd&ids=%ff%fe",
        "/api/v3/coins/bitcoin/market_chart?vs_currency=usd",
        "/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=0",
        "/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=1.5",
        "/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=99999999999",
        "/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=1&interval=5m",
        "/api/v3/coins/bitcoin/ohlc?vs_currency=eur&days=1",
        "/api/v3/coins/bitcoin/ohlc?days=1",
        "/api/v3/coins/BIT%00COIN/ohlc?vs_currency=usd&days=1",
        "/api/v3/coins/" + "x" * 500 + "/market_chart?vs_currency=usd&days=1",
    ],
)
def test_bad_parameters_are_coingecko_style_4xx(api, listing, path):
    response = api.get(path)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str)


def test_unknown_paths_and_methods_answer_in_coingeckos_shape(api, db):
    assert api.get("/api/v3/nfts/list").json() == {"error": "not found"}
    assert api.get("/api/v3/nfts/list").status_code == 404
    response = api.post("/api/v3/ping", {})
    assert 400 <= response.status_code < 500 and list(response.json()) == ["error"]


def test_a_missing_parameter_is_422_and_a_bad_one_400(api, listing):
    assert api.get("/api/v3/coins/bitcoin/ohlc?vs_currency=usd").json() == {"error": "Missing parameter days"}
    blank = api.get("/api/v3/simple/price?ids=&vs_currencies=usd")
    assert blank.status_code == 422 and blank.json() == {"error": "Missing parameter ids"}
    response = api.get("/api/v3/coins/markets?vs_currency=usd&per_page=500")
    assert response.status_code == 400 and response.json()["error"].startswith("invalid per_page")


@pytest.mark.parametrize(
    "path,limit",
    [
        # + the rates, for eur; + the quote times: the later listings untrack bitcoin and
        # ethereum, so whether they need an on-demand fetch is looked up
        ("/api/v3/simple/price?ids=bitcoin,ethereum&vs_currencies=usd,eur", 4),
        ("/api/v3/simple/price?symbols=btc,eth&vs_currencies=usd", 3),
        ("/api/v3/coins/list", 1),
        ("/api/v3/coins/markets?vs_currency=usd&per_page=250", 2),
        ("/api/v3/coins/markets?vs_currency=usd&per_page=250&price_change_percentage=1h,24h,7d,30d", 4),
        ("/api/v3/coins/markets?vs_currency=usd&sparkline=true", 3),
        ("/api/v3/search/trending", 3),
        ("/api/v3/global", 1),
        ("/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=30", 8),
        ("/api/v3/coins/bitcoin/ohlc?vs_currency=usd&days=7", 6),
    ],
)
def test_each_endpoint_costs_a_fixed_number_of_queries_and_none_when_cached(
    api, listing, path, limit, django_assert_max_num_queries, django_assert_num_queries
):
    for i in range(40):
        listing(market_row(f"coin{i}", f"c{i}", rank=10 + i))
    store_history(hours=24 * 30)
    store_candles(count=24 * 7)
    store_trending()
    from tests.coingecko_compat.conftest import store_global

    store_global()
    with django_assert_max_num_queries(limit):
        assert api.get(path).status_code == 200
    with django_assert_num_queries(0):
        assert api.get(path).status_code == 200


def test_cached_answers_follow_new_data(api, listing):
    url = "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd"
    assert api.get(url).json() == {"bitcoin": {"usd": 65000.12}}
    later = datetime.now(UTC) + timedelta(seconds=1)
    ingest.ingest_quotes(quotes=[Quote("bitcoin", "BTC", Decimal("70000"), later)], source="coingecko")
    assert api.get(url).json() == {"bitcoin": {"usd": 70000}}
