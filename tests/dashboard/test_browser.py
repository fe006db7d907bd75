"""The dashboard in a real browser (headless Chromium) against the real server.

The server starts as `make run` starts it (bin/serve.py: migrations, schedules, granian,
the task cluster), in its own data directory, after collecting from a local stand-in for
every provider (tests/dashboard/standin.py). Screenshots go to tests/artifacts/.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.platform.processes import ROOT, descendants, free_port, is_alive
from tests.providers.fake_upstream import BASE_URL_SETTINGS

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (/usr/bin/chromium)"),
    pytest.mark.timeout(300),
]

COLLECT = """
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
call_command("collect_markets", registry=True)
call_command("collect_all")
call_command("backfill_history", days=30)
call_command("collect_ohlcv", intervals="1h,4h,1d", limit=200)
call_command("collect_defi")
call_command("collect_sentiment", days=30)
"""

PUSH = """
from datetime import UTC, datetime
from decimal import Decimal
from markets.models import LatestQuote
from providers.records import Quote
from markets.services import ingest
now = LatestQuote.objects.get(coin__coin_id="bitcoin", vs="usd")
price = (now.price * Decimal("1.0125")).quantize(Decimal("0.01"))
ingest.ingest_quotes(quotes=[Quote(coin_id="bitcoin", symbol="BTC", price=price, as_of=datetime.now(UTC),
                                   change_24h_pct=Decimal("2.5"), source="binance")], source="binance")
print(price)
"""


def _money(text: str) -> str:
    return f"${float(text):,.2f}"


@pytest.fixture(scope="module")
def standin():
    from tests.dashboard.standin import Standin

    server = Standin().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def served(standin, tmp_path_factory):
    """bin/serve.py on a free port, its data directory filled from the stand-in providers."""
    data = tmp_path_factory.mktemp("dashboard-data")
    port = free_port()
    unreachable = "http://127.0.0.1:9"
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DATA_DIR": str(data),
            "PROMETHEUS_MULTIPROC_DIR": str(data / "metrics"),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "DJANGO_SETTINGS_MODULE": "cryptodt.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "platform" / "offline"), str(ROOT)]),
            **{setting: unreachable for setting, _ in BASE_URL_SETTINGS.values()},
            "BINANCE_WS_URL": "ws://127.0.0.1:9",
            "STREAM_PRICES": "0",
            "SENTIMENT_MODEL": "lexicon",
            "OHLCV_INTERVALS": "1h,4h,1d",
            "OHLCV_COINS": "12",
            "WS_RELAY_INTERVAL_S": "0.2",
            "PROVIDER_TIMEOUT_S": "3",
            "RATE_ANON": "60/m",
            **standin.settings(),
        }
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR")  # serve.py derives it from DATA_DIR, as in production
    collected = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", COLLECT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert collected.returncode == 0, collected.stderr[-3000:]
    proc = subprocess.Popen([sys.executable, "bin/serve.py"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        assert proc.poll() is None, f"serve.py exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=5):
                break
        except OSError:
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.5)
    seen = descendants(proc.pid)
    yield {"base": base, "env": env}
    seen |= descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pid in seen:
        if is_alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def _shot(page, name: str, **options) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path


def test_the_overview_fills_its_table_and_shows_a_price_pushed_after_load(served, page):
    page.goto(served["base"] + "/")
    rows = page.locator("#coins tbody tr")
    assert rows.count() == 12
    assert page.locator("#coins tbody tr").first.get_attribute("data-symbol") == "BTC"
    for panel in ("Total market cap", "Fear & Greed", "Trending", "DeFi protocols by TVL", "Latest news", "Providers"):
        assert page.get_by_role("heading", name=panel).is_visible()
    assert "Not collected yet" not in page.locator("main").inner_text()
    page.wait_for_selector("#feed-status[data-state='live']", timeout=15000)
    _shot(page, "dashboard-overview", full_page=True)

    pushed = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", PUSH],
        cwd=ROOT,
        env=served["env"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert pushed.returncode == 0, pushed.stderr[-2000:]
    expected = _money(pushed.stdout.strip().splitlines()[-1])
    btc_price = page.locator("tr[data-symbol='BTC'] .price")
    page.wait_for_function(
        "expected => document.querySelector(\"tr[data-symbol='BTC'] .price\").textContent === expected",
        arg=expected,
        timeout=15000,
    )
    assert btc_price.inner_text() == expected
    assert "flash-up" in btc_price.get_attribute("class")
    assert page.locator("tr[data-symbol='BTC'] .change").inner_text() == "+2.50%"
    _shot(page, "dashboard-after-push")
    assert page.console_errors == []


def test_the_coin_page_draws_its_candles_and_switches_interval(served, page):
    page.goto(served["base"] + "/coins/btc")
    page.wait_for_selector("#candle-chart canvas", timeout=15000)
    assert int(page.locator("#candle-chart").get_attribute("data-drawn")) >= 100
    assert int(page.locator("#history-chart").get_attribute("data-drawn")) >= 24
    assert page.locator("#candle-note").is_hidden()

    page.get_by_role("button", name="4 h").click()
    page.wait_for_selector("#candle-chart[data-interval='4h']", timeout=15000)
    assert page.get_by_role("button", name="4 h").get_attribute("aria-pressed") == "true"
    assert int(page.locator("#candle-chart").get_attribute("data-drawn")) >= 100
    page.get_by_role("button", name="7 d").click()
    page.wait_for_function("document.querySelector('#history-chart').dataset.drawn < 720", timeout=15000)
    page.wait_for_timeout(300)  # the chart repaints on the next animation frame
    _shot(page, "dashboard-coin", full_page=True)
    assert page.console_errors == []


def test_the_overview_reads_well_on_a_phone(served, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(served["base"] + "/")
    assert page.locator("#coins tbody tr").count() == 12
    # Nothing wider than the screen: the table scrolls in its own box, the page does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "dashboard-phone")
    context.close()
    assert errors == []


def test_a_page_load_costs_one_request_of_the_anonymous_limit(served):
    with urllib.request.urlopen(served["base"] + "/") as response:
        first = int(response.headers["X-RateLimit-Remaining"])
    with urllib.request.urlopen(served["base"] + "/") as response:
        second = int(response.headers["X-RateLimit-Remaining"])
    assert second in (first - 1, 59)  # 59: a new minute's window began in between (RATE_ANON=60/m)
    with urllib.request.urlopen(served["base"] + "/api/providers") as response:
        names = {row["name"] for row in json.load(response)["data"]}
    assert "coingecko" in names
