import gzip
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings

from markets.models import Coin, HourlyPrice, PriceSnapshot, Protocol, ProtocolTVLPoint
from markets.services import ingest, ingest_defi
from markets.services.rollup import prune, rolled_until, rollup_hours
from providers.records import ProtocolTVL, TVLPoint
from tests.data.conftest import quote

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 20, 12, 30, tzinfo=UTC)


def store_every_5_minutes(*, start: datetime, hours: int, prices=None) -> list[Decimal]:
    stored = []
    for i in range(hours * 12):
        price = Decimal(prices[i]) if prices else Decimal(100 + (i * 7) % 13) + Decimal("0.5")
        ingest.ingest_quotes(
            quotes=[quote("bitcoin", "BTC", price, start + timedelta(minutes=5 * i), market_cap=Decimal(i + 1))],
            source="coingecko",
        )
        stored.append(price)
    return stored


def test_an_hourly_bar_is_the_open_high_low_close_of_its_raw_points(listing):
    prices = ["10", "12", "9.5", "11", "15.25", "14", "13", "8", "9", "10", "11", "12.75"]
    start = datetime(2026, 3, 20, 9, tzinfo=UTC)
    store_every_5_minutes(start=start, hours=1, prices=prices)
    rollup_hours(now=NOW)
    bar = HourlyPrice.objects.get(coin__coin_id="bitcoin", t=start)
    assert (bar.open, bar.high, bar.low, bar.close) == (10, Decimal("15.25"), 8, Decimal("12.75"))
    assert (bar.market_cap, bar.samples) == (12, 12)


def test_a_point_that_lands_late_is_rolled_into_its_hour(listing):
    start = datetime(2026, 3, 20, 10, tzinfo=UTC)
    store_every_5_minutes(start=start, hours=1, prices=["5"] * 11 + ["6"])
    rollup_hours(now=NOW)
    ingest.ingest_quotes(quotes=[quote("bitcoin", "BTC", "99", start + timedelta(minutes=59))], source="coingecko")
    assert rollup_hours(now=NOW + timedelta(minutes=5)) == 0  # no new hour has completed yet
    rollup_hours(now=NOW + timedelta(hours=1))
    assert rolled_until() == datetime(2026, 3, 20, 13, tzinfo=UTC)
    assert HourlyPrice.objects.get(coin__coin_id="bitcoin", t=start).high == 99


def test_rolling_up_twice_changes_nothing(listing):
    store_every_5_minutes(start=datetime(2026, 3, 20, 9, tzinfo=UTC), hours=2)
    rollup_hours(now=NOW)
    first = list(HourlyPrice.objects.order_by("coin", "t").values())
    rollup_hours(now=NOW)
    assert list(HourlyPrice.objects.order_by("coin", "t").values()) == first


def test_the_current_hour_is_not_rolled_up_before_it_ends(listing):
    store_every_5_minutes(start=datetime(2026, 3, 20, 12, tzinfo=UTC), hours=1)
    rollup_hours(now=NOW)
    assert not HourlyPrice.objects.filter(t__gte=datetime(2026, 3, 20, 12, tzinfo=UTC)).exists()


@override_settings(RAW_RETENTION_DAYS=7)
def test_prune_never_deletes_a_day_it_has_not_rolled_up(listing):
    old_day = datetime(2026, 3, 1, tzinfo=UTC)
    store_every_5_minutes(start=old_day, hours=3)
    report = prune(now=NOW, archive_dir="")
    assert report.raw_rows == 0 and "2026-03-01" in report.skipped_days
    assert PriceSnapshot.objects.filter(t__lt=old_day + timedelta(days=1)).count() == 36

    rollup_hours(now=NOW)
    report = prune(now=NOW, archive_dir="")
    assert report.raw_days[0] == "2026-03-01"
    assert not PriceSnapshot.objects.filter(t__lt=datetime(2026, 3, 13, tzinfo=UTC)).exists()
    assert HourlyPrice.objects.filter(t__gte=old_day, t__lt=old_day + timedelta(days=1)).count() == 3


@override_settings(RAW_RETENTION_DAYS=7, HISTORY_RETENTION_DAYS=10)
def test_prune_archives_each_day_before_deleting_it(listing, tmp_path):
    store_every_5_minutes(start=datetime(2026, 3, 1, 22, tzinfo=UTC), hours=4)
    rollup_hours(now=NOW)
    report = prune(now=NOW, archive_dir=str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "prices-hourly-2026-03-01.csv.gz",
        "prices-hourly-2026-03-02.csv.gz",
        "prices-raw-2026-03-01.csv.gz",
        "prices-raw-2026-03-02.csv.gz",
    ]
    lines = gzip.decompress((tmp_path / "prices-raw-2026-03-01.csv.gz").read_bytes()).decode().splitlines()
    assert lines[0].startswith("coin_id,vs,t,price") and len(lines) == 1 + 24
    assert report.raw_rows == 48 and report.hourly_rows == 4
    assert not HourlyPrice.objects.exists()


def test_history_auto_picks_raw_for_a_day_and_hourly_for_a_month(api, listing):
    now = datetime.now(UTC)
    coin = Coin.objects.get(coin_id="bitcoin")
    hourly = [
        HourlyPrice(
            coin=coin,
            t=(now - timedelta(hours=h)).replace(minute=0, second=0, microsecond=0),
            open=1,
            high=1,
            low=1,
            close=Decimal(h),
            source="coingecko",
        )
        for h in range(3, 24 * 30)
    ]
    HourlyPrice.objects.bulk_create(hourly)
    store_every_5_minutes(start=now - timedelta(days=1, minutes=5), hours=24)

    day = api.get("/api/prices/history?symbol=btc&days=1").json()
    assert day["resolution"] == "raw"
    assert 280 <= len(day["data"]) <= 290
    month = api.get("/api/prices/history?symbol=btc&days=30").json()
    assert month["resolution"] == "hourly"
    times = [p["t"] for p in month["data"]]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert len(times) >= 24 * 30 - 3
    assert set(month["data"][0]) == {"t", "price", "market_cap", "volume_24h"}


def test_history_daily_has_one_point_a_day(api, listing):
    coin = Coin.objects.get(coin_id="bitcoin")
    start = (datetime.now(UTC) - timedelta(days=10)).replace(hour=0, minute=0, second=0, microsecond=0)
    HourlyPrice.objects.bulk_create(
        HourlyPrice(coin=coin, t=start + timedelta(hours=h), open=1, high=1, low=1, close=Decimal(h), source="x")
        for h in range(24 * 5)
    )
    data = api.get("/api/prices/history?symbol=BTC&days=30&resolution=daily").json()["data"]
    assert [p["price"] for p in data[:5]] == [23, 47, 71, 95, 119]


def test_history_as_csv(api, listing):
    response = api.get("/api/prices/history?symbol=BTC&days=1&format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "t,price,market_cap,volume_24h"
    assert lines[1].split(",")[1] == "65000.12"


@pytest.mark.parametrize("days, cost", [(1, 1), (30, 1), (31, 2), (120, 2), (121, 3), (365, 5)])
def test_history_over_thirty_days_costs_more_rate_limit_units(days, cost):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from markets.api.views import PriceHistoryView

    request = APIRequestFactory().get(f"/api/prices/history?symbol=BTC&days={days}")
    assert PriceHistoryView().rate_cost(Request(request)) == cost


def test_prune_keeps_a_year_of_daily_tvl(db):
    now = datetime.now(UTC)
    ingest_defi.ingest_protocols(protocols=[ProtocolTVL("aave", "Aave", Decimal(1), now)], source="defillama")
    aave = Protocol.objects.get()
    points = [TVLPoint(now - timedelta(days=d), Decimal(d + 1)) for d in (1, 300, 365, 400)]
    ingest_defi.ingest_protocol_tvl(protocol=aave, points=points, source="defillama")
    prune(now=now, archive_dir="")
    oldest = ProtocolTVLPoint.objects.order_by("t").first().t
    assert now - timedelta(days=367) < oldest <= now - timedelta(days=364)
