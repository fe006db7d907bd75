"""stream_prices against a local WebSocket server speaking Binance's exact format."""

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from markets.models import LatestQuote, PriceSnapshot
from markets.services import registry
from providers import stats
from providers.binance_stream import STREAM_PATH
from tests.accounts.test_limit_across_processes import ROOT, _test_database_url
from tests.streaming.fake_binance import FakeBinanceStream, mini_ticker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def pairs(coins):
    registry.assign_exchange_pairs(pairs={"binance": {"BTC": "BTCUSDT", "ETH": "ETHUSDT"}})


@pytest.fixture
def binance(settings):
    started = []

    def start(*scripts, close_after=False) -> FakeBinanceStream:
        fake = FakeBinanceStream(scripts=list(scripts), close_after=close_after).start()
        settings.BINANCE_WS_URL = fake.url
        started.append(fake)
        return fake

    settings.STREAM_STORE_INTERVAL_S = 0
    yield start
    for fake in started:
        fake.stop()


def stream(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("stream_prices", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_stores_the_prices_of_coins_with_a_binance_pair(pairs, binance):
    fake = binance(
        [
            [
                mini_ticker("BTCUSDT", "67000.01000000", "66000"),
                mini_ticker("DOGEUSDT", "0.1"),
                mini_ticker("ETHUSDT", "3300"),
            ]
        ]
    )
    out = stream("--max-messages", "1")
    assert fake.paths == [STREAM_PATH]
    btc = LatestQuote.objects.get(coin__coin_id="bitcoin")
    assert (btc.price, btc.source, btc.volume_24h) == (Decimal("67000.01"), "binance", Decimal("18000000.25"))
    assert btc.change_24h_pct.quantize(Decimal("0.0001")) == Decimal("1.5152")
    assert LatestQuote.objects.get(coin__coin_id="ethereum").price == 3300
    assert "stored 2 prices of 2 coins from 1 messages (0 rejected)" in out


def test_it_accepts_the_combined_stream_wrapper(pairs, binance):
    binance([{"stream": "!miniTicker@arr", "data": [mini_ticker("BTCUSDT", "70000")]}])
    stream("--max-messages", "1")
    assert LatestQuote.objects.get(coin__coin_id="bitcoin").price == 70000


def test_it_stores_a_coin_at_most_once_per_interval(pairs, binance, settings):
    binance([[mini_ticker("BTCUSDT", str(70000 + n))] for n in range(3)])
    settings.STREAM_STORE_INTERVAL_S = 3600
    before = PriceSnapshot.objects.filter(coin__coin_id="bitcoin").count()
    out = stream("--max-messages", "3")
    assert PriceSnapshot.objects.filter(coin__coin_id="bitcoin").count() == before + 1
    assert "stored 1 prices of 1 coins from 3 messages" in out


@pytest.mark.parametrize(
    "bad",
    [
        '[{"e": "24hrMiniTicker", "E": 1, "s": "BTCUSDT"',  # truncated
        "<html>502 Bad Gateway</html>",
        [dict(mini_ticker("BTCUSDT", "70000"), c="not a number")],
        [dict(mini_ticker("ETHUSDT", "-5"))],
        [mini_ticker("BTCUSDT", "70000"), "not an object"],
        [dict(mini_ticker("BTCUSDT", "70000"), E=4_200_000_000_000_000)],
        {"stream": "x", "data": {"s": "BTCUSDT"}},
    ],
)
def test_a_bad_message_is_rejected_whole_and_counted_against_binance(pairs, binance, bad):
    binance([bad, [mini_ticker("ETHUSDT", "3333")]])
    stats.reset("binance")
    out = stream("--max-messages", "2")
    assert LatestQuote.objects.get(coin__coin_id="bitcoin").price == Decimal("65000.12")
    assert LatestQuote.objects.get(coin__coin_id="ethereum").price == 3333
    assert "(1 rejected)" in out
    assert stats.read("binance")["validation_failures"] == 1


def test_it_reconnects_when_the_stream_drops(pairs, binance):
    fake = binance([[mini_ticker("BTCUSDT", "70001")]], [[mini_ticker("BTCUSDT", "70002")]], close_after=True)
    out = stream("--max-messages", "2")
    assert len(fake.paths) == 2
    assert LatestQuote.objects.get(coin__coin_id="bitcoin").price == 70002
    assert "from 2 messages" in out


def test_it_fails_with_a_reason_when_no_coin_has_a_binance_pair(coins, binance):
    binance([])
    with pytest.raises(CommandError, match="no coin has a Binance pair"):
        stream("--max-seconds", "1")


def test_it_fails_with_a_reason_when_it_never_connects(pairs, settings):
    settings.BINANCE_WS_URL = "ws://127.0.0.1:9"
    with pytest.raises(CommandError, match="could not connect"):
        stream("--max-seconds", "0.5")


def test_sigterm_stops_it_cleanly(pairs, binance):
    fake = binance([[mini_ticker("BTCUSDT", "71000")]])
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "BINANCE_WS_URL": fake.url,
        "STREAM_STORE_INTERVAL_S": "0",
    }
    child = subprocess.Popen(
        [sys.executable, "manage.py", "stream_prices"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while LatestQuote.objects.get(coin__coin_id="bitcoin").price != 71000:
            assert child.poll() is None, child.communicate()[1]
            assert time.monotonic() < deadline, "the price never arrived"
            time.sleep(0.1)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0, err
    assert "stored 1 prices of 1 coins from 1 messages" in out


def test_readiness_tells_when_the_stream_last_stored_a_price(pairs, binance, api):
    before = api.get("/api/health/ready").json()["checks"]["price_feed"]
    assert before["ok"] is True and "has not stored a price" in before["detail"]
    binance([[mini_ticker("BTCUSDT", "70000")]])
    stream("--max-messages", "1")
    after = api.get("/api/health/ready").json()["checks"]["price_feed"]
    assert "stream_prices stored a price" in after["detail"] and after["stream_last_stored"]
    assert after["connections"] == 0


def test_without_a_binance_pair_it_waits_saying_so_once_then_connects(coins, binance, monkeypatch):
    """A fresh install: no CommandError every minute, one line saying what it waits for."""
    from io import StringIO

    from streaming.management.commands import stream_prices as command

    fake = binance([[mini_ticker("BTCUSDT", "70010")]], close_after=True)
    monkeypatch.setattr(command, "PAIRS_POLL_S", 0.05)
    checks = []
    real = command.exchange.binance_pairs

    def pairs_after_a_while():
        checks.append(1)
        if len(checks) == 4:  # the registry's pairs arrive (the first collection)
            registry.assign_exchange_pairs(pairs={"binance": {"BTC": "BTCUSDT"}})
        return real()

    monkeypatch.setattr(command.exchange, "binance_pairs", pairs_after_a_while)
    err = StringIO()
    call_command("stream_prices", "--max-messages", "1", stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert sum("waiting: no coin has a Binance pair yet" in line for line in lines) == 1
    assert any("connecting" in line for line in lines)
    assert fake.paths


def test_a_stream_that_stays_down_is_reported_once_then_every_few_minutes():
    from providers.binance_stream import QuietLog

    said = []
    quiet = QuietLog(said.append, every_s=3600)
    for _ in range(50):
        quiet("stream lost (OSError: refused)")
    assert said == ["stream lost (OSError: refused)"]
    quiet.last -= 3601
    quiet("stream lost (OSError: refused)")
    assert said[-1] == "stream lost (OSError: refused) (49 more like it since the last report)"
