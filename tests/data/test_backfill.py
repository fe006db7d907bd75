"""backfill_history: only the gaps are fetched, never twice, stopping when providers fail and
carrying on from exchange candles beyond CoinGecko's free year."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError

from markets.models import Coin, HourlyPrice
from tests.data.conftest import run
from tests.data.upstream_pages import market_chart
from tests.providers.fake_upstream import Reply

pytestmark = pytest.mark.django_db


def test_backfill_fetches_only_the_gaps_and_never_twice(coingecko):
    run("collect_all")
    coingecko.script("/coins/bitcoin/market_chart", Reply(market_chart(24 * 3)))
    output = run("backfill_history", "--days", "3", "--symbols", "BTC")
    stored = HourlyPrice.objects.filter(coin__coin_id="bitcoin").count()
    assert "backfill BTC: stored" in output and stored >= 70
    assert coingecko.hits_on("/coins/bitcoin/market_chart") == 1

    output = run("backfill_history", "--days", "3", "--symbols", "BTC")
    assert coingecko.hits_on("/coins/bitcoin/market_chart") == 1, output
    assert HourlyPrice.objects.filter(coin__coin_id="bitcoin").count() == stored


def test_backfill_stops_when_providers_fail_and_resumes_later(coingecko):
    run("collect_all")
    coingecko.script("/coins/bitcoin/market_chart", Reply(b'{"status": {"error_code": 429}}', 429))
    with pytest.raises(CommandError):
        run("backfill_history", "--days", "2", "--symbols", "BTC,ETH")
    assert not HourlyPrice.objects.exists()


def test_backfill_beyond_a_year_continues_from_exchange_candles_gap_only(coingecko, upstream, settings):
    settings.HISTORY_RETENTION_DAYS = 500
    run("collect_all")
    Coin.objects.filter(coin_id="bitcoin").update(binance_pair="BTCUSDT")
    coingecko.script("/coins/bitcoin/market_chart", Reply(market_chart(24 * 3)))
    day = 86_400_000
    today = int(datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0).timestamp() * 1000)
    rows = [
        [t, "20000", "21000", "19000", "20500", "10", t + day - 1, "205000", 5, "5", "7", "0"]
        for t in range(today - 479 * day, today - 370 * day, day)
    ]
    binance = upstream("binance")
    binance.script("/api/v3/klines", Reply(json.dumps(rows).encode()))
    output = run("backfill_history", "--days", "480", "--symbols", "BTC")
    assert "coingecko" in output and "binance" in output, output
    old = HourlyPrice.objects.filter(coin__coin_id="bitcoin", t__lt=datetime.now(UTC) - timedelta(days=366))
    assert old.count() == len(rows) and set(old.values_list("source", flat=True)) == {"binance"}
    recent = HourlyPrice.objects.filter(coin__coin_id="bitcoin", t__gte=datetime.now(UTC) - timedelta(days=4))
    assert set(recent.values_list("source", flat=True)) >= {"coingecko"}
    assert binance.hits_on("/api/v3/klines") == 1

    run("backfill_history", "--days", "480", "--symbols", "BTC")  # everything asked: nothing twice
    assert binance.hits_on("/api/v3/klines") == 1
