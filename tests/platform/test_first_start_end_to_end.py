"""Done-when of issue 11: a fresh start of bin/serve.py (empty DATA_DIR, every provider and
the Hugging Face hub replaced by local stand-ins) serves every README tour endpoint with
data, and readiness reports the transformer model loaded, with no manual command.

The stand-ins serve every path the provider clients call (providers/<name>.py), with the
documented payloads of tests/fixtures/providers/; the time series among them are re-dated to
now, as a live provider answers (a 2023 snapshot is not "the last 30 days" of history).

The bound is generous (this is not a timing assertion): it only keeps a broken start from
hanging the suite. The time it took is printed and recorded as seconds_to_whole_tour.
"""

import copy
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.conftest import PROVIDER_FIXTURES as FIXTURES
from tests.platform.processes import ROOT, descendants, free_port, is_alive
from tests.platform.test_readme_tour import tour_commands
from tests.providers.fake_upstream import BASE_URL_SETTINGS, FakeUpstream, Reply
from tests.sentiment import tiny_model
from tests.sentiment.fake_hub import FakeHub

pytestmark = pytest.mark.timeout(600)
REPO = "tiny-org/tiny-finbert"
# Seconds before the test gives up: generous on purpose (a shared, busy machine); the
# measured time is printed and recorded (seconds_to_whole_tour), the goal is 120.
BOUND_S = int(os.environ.get("E2E_BOUND_S", "240"))
E2E_REDIS_DB = 14


def fixture(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()


def recent_ms(hours_ago: float = 0) -> int:
    return int((time.time() - hours_ago * 3600) * 1000)


def coingecko_markets() -> bytes:
    rows = json.loads(fixture("coingecko/coins_markets.json"))
    eth = copy.deepcopy(rows[0])
    eth.update(id="ethereum", symbol="eth", name="Ethereum", market_cap_rank=2, current_price=3300.0)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return json.dumps([dict(row, last_updated=stamp) for row in [rows[0], eth, *rows[1:]]]).encode()


def binance_tickers() -> bytes:
    # A live exchange answers with the current 24 h window; the recorded one is from 2023.
    rows = json.loads(fixture("binance/ticker_24hr_all.json"))
    return json.dumps([dict(row, openTime=recent_ms(24), closeTime=recent_ms()) for row in rows]).encode()


def market_chart() -> bytes:
    """CoinGecko's market_chart shape (the fixture's), hourly points for the last 31 days up to now."""
    shape = json.loads(fixture("coingecko/market_chart.json"))
    hours = range(31 * 24, -1, -1)
    price, cap, volume = shape["prices"][0][1], shape["market_caps"][0][1], shape["total_volumes"][0][1]
    return json.dumps(
        {
            "prices": [[recent_ms(h), price] for h in hours],
            "market_caps": [[recent_ms(h), cap] for h in hours],
            "total_volumes": [[recent_ms(h), volume] for h in hours],
        }
    ).encode()


def fear_greed() -> bytes:
    payload = json.loads(fixture("alternative_me/fng.json"))
    day = int(time.time()) // 86400 * 86400
    for i, row in enumerate(payload["data"]):
        row["timestamp"] = str(day - i * 86400)
    return json.dumps(payload).encode()


@pytest.fixture
def stand_ins(tmp_path):
    """Every provider the clients call, at the paths the clients call (see each providers/<name>.py)."""
    started = {}

    def start(provider: str) -> FakeUpstream:
        fake = FakeUpstream(BASE_URL_SETTINGS[provider][1]).start()
        started[provider] = fake
        return fake

    coingecko = start("coingecko")
    coingecko.script("/coins/markets", Reply(coingecko_markets()))
    coingecko.script("/coins/list", Reply(fixture("coingecko/coins_list.json")))
    coingecko.script("/simple/price", Reply(fixture("coingecko/simple_price.json")))
    coingecko.script("/global", Reply(fixture("coingecko/global.json")))
    coingecko.script("/search/trending", Reply(fixture("coingecko/search_trending.json")))
    for row in json.loads(coingecko_markets()):
        coingecko.script(f"/coins/{row['id']}/market_chart", Reply(market_chart()))
        coingecko.script(f"/coins/{row['id']}/ohlc", Reply(fixture("coingecko/coins_ohlc.json")))
    binance = start("binance")
    binance.script("/api/v3/exchangeInfo", Reply(fixture("binance/exchange_info.json")))
    binance.script("/api/v3/ticker/24hr", Reply(binance_tickers()))
    binance.script("/api/v3/klines", Reply(fixture("binance/klines.json")))
    kraken = start("kraken")
    kraken.script("/0/public/AssetPairs", Reply(fixture("kraken/asset_pairs.json")))
    kraken.script("/0/public/Ticker", Reply(fixture("kraken/ticker.json")))
    kraken.script("/0/public/OHLC", Reply(fixture("kraken/ohlc.json")))
    coinbase = start("coinbase")
    coinbase.script("/products", Reply(fixture("coinbase/products.json")))
    for pair in ("BTC-USD", "ETH-USD"):
        coinbase.script(f"/products/{pair}/ticker", Reply(fixture("coinbase/ticker.json")))
        coinbase.script(f"/products/{pair}/candles", Reply(fixture("coinbase/candles.json")))
    coinpaprika = start("coinpaprika")
    coinpaprika.script("/tickers", Reply(fixture("coinpaprika/tickers.json")))
    coinpaprika.script("/global", Reply(fixture("coinpaprika/global.json")))
    start("defillama_prices")  # /prices/current/<coins> varies per call; the router has other price sources
    start("coincap").script("/assets", Reply(fixture("coincap/assets_v3.json")))
    defillama = start("defillama")
    defillama.script("/protocols", Reply(fixture("defillama/protocols.json")))
    defillama.script("/v2/chains", Reply(fixture("defillama/chains.json")))
    start("alternative_me").script("/fng/", Reply(fear_greed()))
    start("coindesk").script("/news/v1/article/list", Reply(fixture("coindesk/article_list.json")))
    feeds = FakeUpstream("").start()
    feeds.script("/feed.xml", Reply(fixture("rss/feed.xml"), content_type="application/rss+xml"))
    hub = FakeHub(REPO, tiny_model.build(tmp_path / "tiny-finbert")).start()
    env = {setting: started[p].url for p, (setting, _) in BASE_URL_SETTINGS.items()}
    env |= {"NEWS_RSS_FEEDS": f"{feeds.url}/feed.xml", "HF_ENDPOINT": hub.url, "SENTIMENT_MODEL": REPO}
    yield env, hub, {**started, "feeds": feeds}
    for fake in [*started.values(), feeds]:
        fake.stop()
    hub.stop()


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (OSError, ValueError):
        return 0, {}


@pytest.fixture
def own_services():
    """Environment pointing the server at a database and a Redis database of its own.

    The default (SQLite in DATA_DIR) needs nothing. On CI's PostgreSQL pass the server must
    not share the suite's database: it must start empty to bootstrap, so it gets a new
    database, dropped afterwards. With REDIS_URL its cache, queue and channel layer use a
    database index of their own, emptied before and after (stale "already ran" marks and
    queued tasks of other tests would change what the first start does).
    """
    env, cleanups = {}, []
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        if not database_url.startswith(("postgres://", "postgresql://")):
            pytest.skip(f"a fresh database can only be made here on PostgreSQL, not {database_url.split(':')[0]}")
        import psycopg

        parts = urlsplit(database_url)
        name = f"cryptodt_e2e_{secrets.token_hex(4)}"
        try:
            admin = psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True)
        except psycopg.Error:
            admin = psycopg.connect(database_url, autocommit=True)
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
        except psycopg.Error as error:
            admin.close()
            pytest.skip(f"PostgreSQL variant needs a database of its own and CREATE DATABASE failed: {error}")
        env["DATABASE_URL"] = parts._replace(path=f"/{name}").geturl()

        def drop():
            try:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                admin.close()

        cleanups.append(drop)
    redis_url = os.environ.get("REDIS_URL")
    if redis_url:
        import redis

        url = urlsplit(redis_url)._replace(path=f"/{E2E_REDIS_DB}").geturl()
        client = redis.Redis.from_url(url)
        client.flushdb()
        env["REDIS_URL"] = url
        cleanups.append(lambda: (client.flushdb(), client.close()))
    yield env
    for cleanup in reversed(cleanups):
        cleanup()


def test_a_fresh_start_serves_the_whole_tour_and_loads_the_model_by_itself(
    stand_ins, own_services, tmp_path, capsys, record_property
):
    env_overrides, hub, fakes = stand_ins
    port = free_port()
    env = {
        **os.environ,
        **env_overrides,
        **own_services,
        "BINANCE_WS_URL": "ws://127.0.0.1:9",
        "DATA_DIR": str(tmp_path / "data"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "RATE_ANON": "100000/m",  # this test polls; the tour at the default limits is test_readme_tour
        "PROVIDER_TIMEOUT_S": "3",
        "DJANGO_SETTINGS_MODULE": "cryptodt.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "platform" / "offline"), str(ROOT)]),
    }
    base = f"http://127.0.0.1:{port}"
    reads = [
        next(a for a in command if "localhost:8000" in a).split("localhost:8000", 1)[1]
        for command in tour_commands()
        if "-X" not in command and "-H" not in command and "no-such-thing" not in " ".join(command)
    ]
    log_path = tmp_path / "serve.log"
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "bin/serve.py"], cwd=ROOT, env=env, stdout=log, stderr=log)
    seen: set[int] = set()
    answers: dict[str, int] = {}
    sentiment: dict = {}
    elapsed = None
    try:
        while time.monotonic() - started < BOUND_S:
            assert proc.poll() is None, f"serve.py exited with {proc.returncode}\n{log_path.read_text()[-20000:]}"
            seen |= descendants(proc.pid)
            answers = {path: get(base + path)[0] for path in reads}
            sentiment = get(f"{base}/api/health/ready")[1].get("checks", {}).get("sentiment", {})
            if all(status == 200 for status in answers.values()) and sentiment.get("backend") == "transformer":
                elapsed = time.monotonic() - started
                break
            time.sleep(2)
        missing = {p: s for p, s in answers.items() if s != 200}
        unserved = {name: sorted({path for path, _ in fake.hits} - set(fake.scripts)) for name, fake in fakes.items()}
        report = f"not served: {missing}; sentiment: {sentiment}; stand-in paths without a route: {unserved}"
        assert elapsed is not None, f"{report}\n--- server and cluster log ---\n{log_path.read_text()[-30000:]}"
        assert sentiment.get("model") == REPO, sentiment
        assert any(path.endswith(".safetensors") for _, path in hub.hits)
        record_property("seconds_to_whole_tour", round(elapsed, 1))
        with capsys.disabled():  # the goal is two minutes; measured here, bounded only by BOUND_S
            sys.stdout.write(f"\n[first start] every tour endpoint with data, model loaded: {elapsed:.1f} s\n")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pid in seen | descendants(proc.pid):
            if is_alive(pid):
                os.kill(pid, 9)
