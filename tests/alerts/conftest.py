"""Alerts through the real parts: coins and prices stored by the real ingest service (so the
real prices_stored hook evaluates the rules), the real API with API keys, and webhook
receivers that are real HTTP servers on 127.0.0.1 verifying the signature themselves."""

import hashlib
import hmac
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from accounts import services as accounts_services
from alerts.models import AlertRule, Delivery, Firing
from markets.services import ingest
from providers.records import MarketRow, Quote
from tests.providers.fake_upstream import refuse_every_provider

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALERT_ALLOW_PRIVATE_WEBHOOKS = True  # the receivers live on 127.0.0.1
    settings.ALERT_WEBHOOK_TIMEOUT_S = 3.0
    settings.ALERT_WEBHOOK_BACKOFF_S = 0.0  # retries are due at once; tests drive them
    settings.ALERT_WEBHOOK_MAX_ATTEMPTS = 3
    settings.RATE_FREE = settings.RATE_PRO = "100000/m"
    refuse_every_provider(settings)


def market_row(coin_id: str, symbol: str, price: str, *, rank: int, t: datetime) -> MarketRow:
    return MarketRow(
        coin_id=coin_id,
        symbol=symbol,
        name=coin_id.title(),
        price=Decimal(price),
        as_of=t,
        rank=rank,
        market_cap=Decimal("1000000000") / rank,
        volume_24h=Decimal("5000"),
        change_24h_pct=Decimal("0"),
    )


@pytest.fixture
def coins(transactional_db):
    """bitcoin (BTC) at 100 and ethereum (ETH) at 10, both at T0."""
    ingest.ingest_market_rows(
        rows=[market_row("bitcoin", "btc", "100", rank=1, t=T0), market_row("ethereum", "eth", "10", rank=2, t=T0)],
        source="coingecko",
        track=True,
    )
    return T0


class Prices:
    """Stores prices through markets' ingest, one minute apart, as the collector would (an
    aggregator's quotes: exchange quotes far from the reference price would be refused)."""

    def __init__(self):
        self.t = T0

    def store(self, price: str, coin_id: str = "bitcoin", symbol: str = "BTC", *, at: datetime | None = None) -> None:
        self.t = at or self.t + timedelta(minutes=1)
        quote = Quote(coin_id=coin_id, symbol=symbol, price=Decimal(price), as_of=self.t)
        ingest.ingest_quotes(quotes=[quote], source="coingecko")


@pytest.fixture
def prices(coins):
    return Prices()


@pytest.fixture
def make_user(django_user_model):
    def make(username: str = "ada", *, tier: str = "free"):
        user = django_user_model.objects.create_user(username=username, password="correct-Horse-battery-9")
        if tier != "free":
            accounts_services.tier_set(user=user, tier=tier)
        return user

    return make


@pytest.fixture
def client_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=accounts_services.api_key_issue(user=user, name="alerts").key)
        return client

    return make


@pytest.fixture
def ada(make_user):
    return make_user("ada")


@pytest.fixture
def api(ada, client_for):
    return client_for(ada)


def rule(client: APIClient, **fields) -> dict:
    """POST /api/alerts; returns the created rule (with its one-time webhook secret)."""
    body = {"coin": "bitcoin", "condition": "price_above", "threshold": "150", **fields}
    response = client.post("/api/alerts", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def firings(rule_id: int) -> list[Firing]:
    return list(Firing.objects.filter(rule_id=rule_id).order_by("fired_at"))


def webhook_of(rule_id: int) -> Delivery:
    return Delivery.objects.get(firing__rule_id=rule_id, channel=Delivery.WEBHOOK)


def active(rule_id: int) -> bool:
    return AlertRule.objects.get(pk=rule_id).active


class Receiver:
    """A webhook receiver as a user would write one: verifies X-Cryptodt-Signature over the raw
    body with the rule's secret and the timestamp's freshness, answers with the scripted
    statuses in turn (then 200), and can hold a request open until released."""

    def __init__(self, statuses=(), *, hold_first: bool = False):
        self.statuses = list(statuses)
        self.hold_first = hold_first
        self.secret: str | None = None
        self.requests: list[dict] = []  # every request that arrived
        self.accepted: list[dict] = []  # bodies answered 2xx after verifying
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"headers": dict(self.headers), "raw": raw, "path": self.path}
                with receiver.lock:
                    receiver.requests.append(request)
                    first = len(receiver.requests) == 1
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.arrived.set()
                if first and receiver.hold_first:
                    receiver.release.wait(60)
                    return  # never answered: the sender dies waiting
                request["verified"] = receiver.verify(self.headers, raw)
                if not request["verified"]:
                    status = 401
                body = b'{"ok":true}' if status < 300 else b"x" * 5000
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if status < 300:
                    with receiver.lock:
                        receiver.accepted.append(json.loads(raw))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook?from=cryptodt"

    def verify(self, headers, raw: bytes) -> bool:
        if self.secret is None:
            return False
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, headers.get("X-Cryptodt-Signature", "")):
            return False
        stamp = headers.get("X-Cryptodt-Timestamp", "")
        body = json.loads(raw)
        return stamp.isdigit() and body["timestamp"] == int(stamp) and abs(time.time() - int(stamp)) < 300

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=(), **kwargs) -> Receiver:
        made.append(Receiver(statuses, **kwargs))
        return made[-1]

    yield make
    for r in made:
        r.stop()
